"""`reportit serve --port N` without REPORTIT_BASE_URL: every link it writes carries port N (the
"Report sent" link, My reports, the CSV, push payloads), and it says so at start-up. It believes
no X-Forwarded-For, not even from loopback, unless REPORTIT_TRUSTED_PROXIES says so."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.api.test_reports_api import pothole, send
from tests.conftest import ROOT, free_port
from tests.console.conftest import PASSWORD, sign_in
from tests.push.conftest import subscribe, unique_name


@pytest.fixture
def served(server_env, mock_push, tmp_path) -> Iterator[tuple[str, dict, Path]]:
    port = free_port()
    env = {k: v for k, v in {**os.environ, **server_env}.items() if k != "REPORTIT_BASE_URL"}
    # Its own database: the other servers of the suite have senders too, with their own base URLs.
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}",
            "REPORTIT_PUSH_HOSTS": mock_push.host, "REPORTIT_PUSH_CA_FILE": mock_push.ca_file,
            "REPORTIT_LOG_LEVEL": "INFO",
            "REPORTIT_DEVICE_REGISTRATIONS_PER_HOUR": "3"}  # one registration at once per client
    subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    log = tmp_path / "serve.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "reportit.cli", "serve", "--port", str(port)],
                                   env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()[-2000:]
            try:
                if httpx.get(f"{url}/api/categories", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield url, env, log
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_links_carry_the_port_the_server_listens_on(served, browser, mock_push):
    url, env, log = served
    assert f"event=base_url url={url} " in log.read_text()
    staff = f"officer-{unique_name()}@westminster.example"
    subprocess.run([sys.executable, "-m", "reportit.cli", "user", "add", staff, "--role", "officer",
                    "--password", PASSWORD], env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        body = (await http.post("/api/devices")).json()
        resident = {**body, "headers": {"Authorization": f"Bearer {body['token']}"}}
        name = unique_name()
        await subscribe(http, resident, browser, mock_push.url("ok", name))
        sent = await send(http, resident, pothole(description=f"Pothole {secrets.token_hex(4)}"))
        assert sent.status_code == 201, sent.text
        reference = sent.json()["reference"]
        link = f"{url}/r/{reference}"
        assert sent.json()["url"] == link
        mine = (await http.get("/api/me/reports", headers=resident["headers"])).json()["reports"]
        assert [r["url"] for r in mine if r["reference"] == reference] == [link]

        subprocess.run([sys.executable, "-m", "reportit.cli", "status", reference, "investigating"], env=env,
                       cwd=ROOT, check=True, capture_output=True, timeout=60)
        for _ in range(300):  # the server's sender polls for work other processes queue
            if mock_push.delivered(name):
                break
            await asyncio.sleep(0.1)
        [push] = mock_push.delivered(name)
        assert push.payload["notification"]["navigate"] == link

        async with httpx.AsyncClient(base_url=url, timeout=30) as console:
            await sign_in(console, staff)
            exported = await console.get("/console/export.csv", params={"q": reference})
        assert exported.status_code == 200, exported.text[:300]
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert any(link in row for row in rows)

        # Loopback is no trusted proxy here: a made-up X-Forwarded-For does not buy a fresh bucket.
        again = await http.post("/api/devices", headers={"X-Forwarded-For": "203.0.113.9"})
        assert again.status_code == 429
