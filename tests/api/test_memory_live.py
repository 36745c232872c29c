"""A real server's peak memory (VmHWM) stays bounded whatever an attacker sends: big bodies to
routes that take none, decoded-size bombs inside the pixel limit, and many big uploads at once."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.api.live_http import MB, multipart, stream_request
from tests.api.test_reports_api import pothole
from tests.conftest import peak_memory_mb, running_server

UPLOAD_BUDGET = 96 * MB


@pytest.fixture(scope="module")
def server(server_env):
    with running_server(server_env, REPORTIT_UPLOAD_MEMORY_BYTES=str(UPLOAD_BUDGET),
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
