"""`[applications] bank_holidays`: read from the council's TOML, checked with the key named."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from reportit.applications.rules import RulesError, load_rules

MINOR = {"regime": "licensing", "code": "minor-variation", "name": "Minor variation",
         "consultation_days": 10, "working_days": True, "late_comments": "refused"}


@pytest.mark.parametrize("holidays, words", [
    ("2026-12-25", "bank_holidays: must be a list of dates"),
    (["25/12/2026"], r"bank_holidays\[0\]: '25/12/2026' is not a date; write it as 2026-12-25"),
    ([date(2026, 12, 25), 20261228], r"bank_holidays\[1\]: 20261228 is not a date"),
])
def test_a_bad_list_is_refused_with_its_key(holidays, words):
    with pytest.raises(RulesError, match=f"applications.{words}"):
        load_rules({"types": [MINOR], "bank_holidays": holidays})


def test_dates_in_quotes_or_as_toml_dates_count_the_same():
    quoted = load_rules({"types": [MINOR], "bank_holidays": ["2026-12-25", "2026-12-28", "2027-01-01"]})
    native = load_rules({"types": [MINOR], "bank_holidays": [date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)]})
    start = date(2026, 12, 18)
    assert quoted.consultation_end("licensing", "minor-variation", start) == date(2027, 1, 6)
    assert native.consultation_end("licensing", "minor-variation", start) == date(2027, 1, 6)
    assert load_rules({"types": [MINOR]}).consultation_end("licensing", "minor-variation", start) == date(2027, 1, 1)


def test_a_list_that_has_run_out_is_said_at_start_up(caplog):
    with caplog.at_level(logging.WARNING, logger="reportit.applications.rules"):
        load_rules({"types": [MINOR], "bank_holidays": ["2020-12-25"]})
    assert "event=bank_holidays_run_out last=2020-12-25" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="reportit.applications.rules"):
        load_rules({"types": [{**MINOR, "working_days": False}], "bank_holidays": []})  # no working-day type
    assert "bank_holidays_run_out" not in caplog.text
