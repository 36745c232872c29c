"""What the logs keep: no secret a reader of the access log could use."""

from __future__ import annotations

import logging

from reportit import logs


def _access_line(path: str) -> str:
    logs.redact_access_log()
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("203.0.113.5:4000", "GET", path, "1.1", 200), None)
    for each in logging.getLogger("uvicorn.access").filters:
        each.filter(record)
    return record.getMessage()


def test_sign_in_codes_and_tokens_in_paths_stay_out_of_the_access_log():
    assert "123456" not in _access_line("/account/verify?email=sam%40example.org&code=123456")
    assert "s3cr3t" not in _access_line("/console/password-reset/s3cr3t")
    assert "tok" not in _access_line("/confirm-email/12.tok")
    assert "tok" not in _access_line("/unsubscribe/12.tok")
    assert "/account/verify" in _access_line("/account/verify?email=x&code=1")


def test_other_paths_are_logged_as_they_are():
    assert "/r/K7QM4XRT?x=1" in _access_line("/r/K7QM4XRT?x=1")
