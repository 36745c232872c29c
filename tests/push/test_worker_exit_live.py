"""The push encryption worker processes go when the server that started them is killed (SIGKILL):
they used to wait on their task queue for 10+ minutes, holding memory and the VAPID key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from tests.api.live_http import multipart
from tests.api.test_reports_api import pothole
from tests.conftest import separate_env, ROOT, free_port, running_server
from tests.push.mock_push import Browser

FOLLOWERS = 110  # more than SenderConfig.process_batch, so the batch is encrypted in a worker process


def _workers_of(pid: int) -> list[int]:
    """The server's multiprocessing workers (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _api_key(env: dict[str, str]) -> str:
    made = subprocess.run([sys.executable, "-m", "reportit.cli", "apikey", "add", f"test-{uuid.uuid4().hex[:6]}"],
                          env={**os.environ, **env}, cwd=ROOT, check=True, capture_output=True, text=True, timeout=60)
    return made.stdout.strip().splitlines()[-1]


def test_encryption_workers_exit_when_the_server_is_killed(server_env, tmp_path):
    push_port = free_port()  # nothing listens: sending fails, which does not matter here
    env = {**separate_env(server_env, tmp_path), "REPORTIT_PUSH_HOSTS": f"127.0.0.1:{push_port}"}
    browser = Browser.new()
    with running_server(env) as (url, process), httpx.Client(base_url=url, timeout=30) as http:
        key = _api_key(env)  # once the server has migrated the database
        reporter = {"Authorization": f"Bearer {http.post('/api/devices').json()['token']}"}
        content_type, parts = multipart(pothole())
        created = http.post("/api/reports", content=b"".join(parts),
                            headers={**reporter, "Content-Type": content_type, "Idempotency-Key": str(uuid.uuid4())})
        reference = created.json()["reference"]
        for number in range(FOLLOWERS):
            device = {"Authorization": f"Bearer {http.post('/api/devices').json()['token']}"}
            subscription = {"endpoint": f"http://127.0.0.1:{push_port}/push/{number}", "expirationTime": None,
                            "keys": browser.keys}
            assert http.put("/api/me/push-subscription", json=subscription, headers=device).status_code in (200, 201)
            assert http.post(f"/api/reports/{reference}/follow", json={}, headers=device).status_code in (200, 201)
        update = {"api_key": key, "service_request_id": reference, "update_id": uuid.uuid4().hex, "status": "FIXED",
                  "description": "Filled", "updated_datetime": "2026-11-25T10:00:00+00:00"}
        assert http.post("/open311/v2/servicerequestupdates.json", data=update).status_code == 200, "status change"

        workers: list[int] = []
        deadline = time.monotonic() + 60
        while not workers and time.monotonic() < deadline:
            workers = _workers_of(process.pid)
            time.sleep(0.2)
        assert workers, "the server never started an encryption worker"

        process.send_signal(signal.SIGKILL)
        process.wait()

        deadline = time.monotonic() + 60  # generous: they should go within a few seconds
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [w for w in workers if _alive(w)]
        for pid in left:  # leave no process behind, whatever the outcome
            os.kill(pid, signal.SIGKILL)
        assert not left, f"encryption workers {left} outlived the killed server"
