"""A real server's peak memory (VmHWM) stays bounded whatever an attacker sends: big bodies to
routes that take none, decoded-size bombs inside the pixel limit, and many big uploads at once."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.live_http import MB, held_upload, multipart, stream_request
from tests.api.test_reports_api import pothole
from tests.conftest import separate_env, peak_memory_mb, running_server
from tests.photo_samples import png_bomb

UPLOAD_BUDGET = 96 * MB


@pytest.fixture(scope="module")
def server(server_env, tmp_path_factory):
    with running_server(separate_env(server_env, tmp_path_factory.mktemp("memory")), REPORTIT_UPLOAD_MEMORY_BYTES=str(UPLOAD_BUDGET),
                        REPORTIT_LOG_LEVEL="ERROR") as (url, process):
        yield url, process.pid


def _device(url: str) -> dict[str, str]:
    token = httpx.post(f"{url}/api/devices").json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _report(url: str, headers: dict[str, str], files: list[tuple[str, bytes]] = ()) -> httpx.Response:
    content_type, parts = multipart(pothole(), files)
    return httpx.post(f"{url}/api/reports", content=b"".join(parts), timeout=120,
                      headers={**headers, "Idempotency-Key": str(uuid.uuid4()), "Content-Type": content_type})


def _growth(pid: int, attack) -> float:
    before = peak_memory_mb(pid)
    attack()
    return peak_memory_mb(pid) - before


def test_big_bodies_to_the_follow_route_are_refused_without_being_read(server):
    url, pid = server
    headers = _device(url)
    created = _report(url, headers)
    assert created.status_code == 201, created.text
    reference = created.json()["reference"]
    statuses = []

    def attack():
        for _ in range(3):
            statuses.append(stream_request(url, "POST", f"/api/reports/{reference}/follow",
                                           {**headers, "Content-Type": "application/json"}, filler=250 * MB)[0])
        statuses.append(stream_request(url, "POST", f"/api/reports/{reference}/follow", headers,
                                       declared_length=250 * MB)[0])

    growth = _growth(pid, attack)
    assert statuses == [413] * 4
    assert growth < 40, f"peak memory grew by {growth:.0f} MB"


def _together(*calls) -> list:
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(call) for call in calls]]


def test_photos_that_decode_to_hundreds_of_megabytes_are_refused_before_decoding(server):
    url, pid = server
    bomb = png_bomb(7000, 7000, rgba16=True)  # 49 Mpx, under the pixel limit; 392 MB of samples
    phones = [_device(url), _device(url)]
    responses: list[httpx.Response] = []

    def attack():
        responses.extend(_together(*(lambda h=phones[i % 2]: _report(url, h, [("bomb.png", bomb)]) for i in range(3))))

    growth = _growth(pid, attack)
    assert [r.status_code for r in responses] == [422] * 3, [r.text for r in responses]
    assert all("too large" in r.json()["errors"][0]["message"] for r in responses)
    assert growth < 80, f"peak memory grew by {growth:.0f} MB"
    # Meanwhile and after, a normal report goes through.
    assert _report(url, phones[0]).status_code == 201


def test_big_uploads_at_once_share_one_memory_budget_and_the_rest_are_asked_to_retry(server):
    url, pid = server
    junk = b"\xff\xd8\xff" + b"\0" * (15 * MB - 64 * 1024)  # just under the photo size limit
    content_type, parts = multipart(pothole(), [(f"p{i}.jpg", junk) for i in range(5)])
    slow_phone = _device(url)
    others = [{**_device(url), "Idempotency-Key": str(uuid.uuid4())} for _ in range(3)]
    answers: list[tuple[int, bytes]] = []

    def attack():
        # One phone is part-way through 60 MB (most of the budget) and stalls; three more send 75 MB each.
        with held_upload(url, "/api/reports", {**slow_phone, "Idempotency-Key": str(uuid.uuid4()),
                                               "Content-Type": content_type}, parts[:-1], 60 * MB):
            answers.extend(_together(*(lambda h=h: stream_request(url, "POST", "/api/reports",
                                                                   {**h, "Content-Type": content_type}, parts)
                                       for h in others)))
            assert _report(url, _device(url)).status_code == 201  # a normal report still fits

    growth = _growth(pid, attack)
    assert [status for status, _ in answers] == [503] * 3
    assert all(b"retry-after:" in head.lower() for _, head in answers)
    assert growth < UPLOAD_BUDGET / MB + 100, f"peak memory grew by {growth:.0f} MB"
    # The stalled phone gave its share back when it went: a big upload alone is read (and refused
    # for what it is, not for memory).
    status, _ = stream_request(url, "POST", "/api/reports", {**others[0], "Idempotency-Key": str(uuid.uuid4()),
                                                             "Content-Type": content_type}, parts)
    assert status == 422
