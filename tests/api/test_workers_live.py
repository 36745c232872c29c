"""`reportit serve --workers 2`: a bounded load of reports over both workers, some sent twice as a
phone on a bad signal does, ends with every report stored exactly once."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.api.live_http import multipart
from tests.api.test_reports_api import pothole
from tests.conftest import running_server, separate_env
from tests.photo_samples import jpeg_with_exif

REPORTS = 60
REPEATED = 15  # of them sent a second time with the same Idempotency-Key


def test_two_workers_store_every_report_once_however_often_it_is_sent(server_env, tmp_path):
    photo = jpeg_with_exif(width=320, height=240)
    with running_server(separate_env(server_env, tmp_path), workers=2) as (url, _process):
        token = httpx.post(f"{url}/api/devices").json()["token"]
        keys = [str(uuid.uuid4()) for _ in range(REPORTS)]
        sends = keys + keys[:REPEATED]

        def send(key: str) -> tuple[str, int, str]:
            content_type, parts = multipart(pothole(description=f"Report {key}"), [("photo.jpg", photo)])
            with httpx.Client(timeout=120) as fresh_connection:  # spread over both workers
                response = fresh_connection.post(f"{url}/api/reports", content=b"".join(parts), headers={
                    "Content-Type": content_type, "Authorization": f"Bearer {token}", "Idempotency-Key": key})
            return key, response.status_code, response.json().get("reference", response.text)

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(send, sends))
        mine = httpx.get(f"{url}/api/me/reports", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()

    assert all(status in (200, 201) for _, status, _ in answers), answers
    assert sum(status == 201 for _, status, _ in answers) == REPORTS
    reference_of: dict[str, set[str]] = {}
    for key, _, reference in answers:
        reference_of.setdefault(key, set()).add(reference)
    assert all(len(references) == 1 for references in reference_of.values())  # a repeat got the same report
    stored = mine["reports"] if isinstance(mine, dict) else mine
    assert sorted(r["reference"] for r in stored) == sorted(next(iter(refs)) for refs in reference_of.values())
