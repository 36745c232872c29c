"""Two machines' worth of processes on one database: `reportit serve --workers 2` (a sender in each
worker) and a separate `reportit send-notifications`. Reports come in over HTTP from several
clients at once; their statuses are changed from the console (over both workers) and by
`reportit status` in processes of their own. At the end no report is lost or stored twice, and
every notification reached the push service (over TLS) exactly once, counted per endpoint there.

On PostgreSQL the processes share a database of their own (made and dropped here), so the test
run's in-process senders, which sign with other VAPID keys, never see this outbox; there a status
change in another process wakes the senders by LISTEN/NOTIFY. On SQLite they poll."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import httpx

from tests.api.live_http import multipart
from tests.api.test_reports_api import pothole
from tests.conftest import BACKEND, PG_ADMIN_URL, ROOT, _pg_admin, running_server, separate_env
from tests.push.mock_push import Browser, MockPushService

CLIENTS = 6  # phones sending at once, each its own device with a push subscription
REPORTS_EACH = 4
PASSWORD = "correct horse battery staple"


@contextlib.contextmanager
def own_database(server_env: dict[str, str], data_dir: Path) -> Iterator[dict[str, str]]:
    env = separate_env(server_env, data_dir)
    if BACKEND != "postgres":
        yield env
        return
    name = f"reportit_live_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield {**env, "DATABASE_URL": f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"}
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "reportit.cli", *args], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@contextlib.contextmanager
def officer_session(url: str, email: str) -> Iterator[httpx.Client]:
    """Signed in to the console the way a browser is: the form's CSRF token, then the form."""
    with httpx.Client(base_url=url, timeout=60) as client:
        page = client.get("/console/sign-in")
        token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
        signed_in = client.post("/console/sign-in", data={"email": email, "password": PASSWORD, "csrftoken": token})
        assert signed_in.status_code == 303, signed_in.text[:500]
        yield client


def test_two_workers_and_a_separate_sender_deliver_every_notification_once(server_env, tmp_path):
    from reportit.push.vapid import load_or_create

    browser = Browser.new()
    with own_database(server_env, tmp_path) as env:
        # The data dir's VAPID keys, made now as the server would on first run, so the push service
        # knows the key the subscriptions are made with.
        service = MockPushService(browser, vapid_public_key=load_or_create(tmp_path).application_server_key)
        service.start()
        env = {**env, "REPORTIT_PUSH_HOSTS": service.host, "REPORTIT_PUSH_CA_FILE": service.ca_file,
               "REPORTIT_VAPID_SUBJECT": "mailto:live-tests@westminster.example"}
        sender = None
        try:
            with running_server(env, workers=2) as (url, _process):
                sender = subprocess.Popen([sys.executable, "-m", "reportit.cli", "send-notifications", "--interval",
                                           "0.5"], env={**os.environ, **env}, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                officer = f"officer-{secrets.token_hex(3)}@council.example"
                cli(env, "user", "add", officer, "--role", "officer", "--password", PASSWORD)
                _run_the_load(url, env, officer, browser, service)
                assert sender.poll() is None, sender.stderr.read().decode()[-2000:]
        finally:
            if sender is not None:
                sender.terminate()
                sender.wait(30)
            service.stop()


def _run_the_load(url: str, env: dict[str, str], officer: str, browser: Browser, service: MockPushService) -> None:
    run = uuid.uuid4().hex[:6]

    def phone(number: int) -> tuple[dict[str, str], list[str], str]:
        """A phone: registers, subscribes to push, sends its reports (one of them twice, as on a bad
        signal), each on a fresh connection so they spread over both workers."""
        with httpx.Client(base_url=url, timeout=120) as http:
            device = {"Authorization": f"Bearer {http.post('/api/devices').json()['token']}"}
            endpoint = service.url("ok", f"{run}-reporter-{number}")
            subscribed = http.put("/api/me/push-subscription", headers=device, json={
                "endpoint": endpoint, "expirationTime": None, "keys": browser.keys})
            assert subscribed.status_code in (200, 201), subscribed.text
        references = []
        for n in range(REPORTS_EACH):
            key = str(uuid.uuid4())
            content_type, parts = multipart(pothole(description=f"Phone {number}, report {n}"))
            for _attempt in range(2 if n == 0 else 1):
                with httpx.Client(base_url=url, timeout=120) as fresh:
                    sent = fresh.post("/api/reports", content=b"".join(parts), headers={
                        **device, "Content-Type": content_type, "Idempotency-Key": key})
                assert sent.status_code in (200, 201), sent.text
            references.append(sent.json()["reference"])
        return device, references, endpoint

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        phones = list(pool.map(phone, range(CLIENTS)))

    # A neighbour follows every report, so each status change goes to two endpoints.
    with httpx.Client(base_url=url, timeout=60) as http:
        neighbour = {"Authorization": f"Bearer {http.post('/api/devices').json()['token']}"}
        neighbour_endpoint = service.url("ok", f"{run}-neighbour")
        assert http.put("/api/me/push-subscription", headers=neighbour, json={
            "endpoint": neighbour_endpoint, "expirationTime": None, "keys": browser.keys}).status_code in (200, 201)
        for _, references, _ in phones:
            for reference in references:
                assert http.post(f"/api/reports/{reference}/follow", json={}, headers=neighbour).status_code in (200, 201)

    # Status changes: half from the console (spread over both workers), half by `reportit status`
    # in processes of their own, all at once.
    every = [(reference, endpoint) for _, references, endpoint in phones for reference in references]
    by_console, by_command = every[::2], every[1::2]

    def from_console(chunk: list[tuple[str, str]]) -> None:
        with officer_session(url, officer) as console:
            for reference, _ in chunk:
                changed = console.post(f"/console/reports/{reference}/status", data={
                    "status": "investigating", "public_message": "We are looking into it.", "action": "save",
                    "csrftoken": console.cookies.get("csrftoken")})
                assert changed.status_code in (200, 303), changed.text[:500]

    def from_command(reference: str) -> None:
        cli(env, "status", reference, "in_progress", "--message", "A crew is on the way.")

    with ThreadPoolExecutor(max_workers=6) as pool:
        work = [pool.submit(from_console, by_console[i::2]) for i in range(2)]
        work += [pool.submit(from_command, reference) for reference, _ in by_command]
        for done in work:
            done.result()

    expected = Counter({f"/push/ok/{endpoint.rsplit('/', 1)[1]}": REPORTS_EACH for _, _, endpoint in phones})
    expected[f"/push/ok/{neighbour_endpoint.rsplit('/', 1)[1]}"] = len(every)
    deadline = time.monotonic() + 90
    while sum(_ours(service, run).values()) < sum(expected.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # long enough for a second sender to send anything twice (they poll every 0.5-5 s)

    assert _ours(service, run) == expected  # every notification, each exactly once
    assert [r.problem for r in service.received if run in r.path and r.status != 201] == []
    # Each endpoint heard about each of its reports once: one message per (endpoint, Topic).
    topics = Counter((r.path, r.headers["topic"]) for r in service.received if run in r.path and r.status == 201)
    assert set(topics.values()) == {1} and len(topics) == sum(expected.values())

    # No report lost or stored twice: each phone has exactly the reports it was given references for.
    with httpx.Client(base_url=url, timeout=60) as http:
        for device, references, _ in phones:
            mine = http.get("/api/me/reports", headers=device).json()
            stored = mine["reports"] if isinstance(mine, dict) else mine
            assert sorted(r["reference"] for r in stored) == sorted(references)
            assert len(set(references)) == REPORTS_EACH  # the report sent twice was stored once


def _ours(service: MockPushService, run: str) -> Counter:
    return Counter({path: n for path, n in service.delivered_counts().items() if run in path})
