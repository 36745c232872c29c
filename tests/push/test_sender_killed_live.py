"""A `reportit send-notifications` process killed (SIGKILL) mid-batch while another runs, as when a
machine is lost: nothing is lost, nothing it had written down as sent is sent again, and what it
sent but had not yet written down (at most RECORD_EVERY plus its requests in flight) is sent again
once its lease has run out, under the same Topic, so the phone shows it once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter

import httpx

from reportit.push.sender import RECORD_EVERY
from tests.api.live_http import multipart
from tests.api.test_reports_api import pothole
from tests.api.test_workers_notifications_live import cli, own_database
from tests.conftest import ROOT, running_server
from tests.push import mock_push as mock_module
from tests.push.mock_push import Browser, MockPushService

FOLLOWERS = 120


def sql(env: dict[str, str], query: str) -> list[tuple]:
    """A query straight on the processes' database, as an operator's psql would."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return connection.execute(query).fetchall()

    async def run() -> list[tuple]:
        import asyncpg

        connection = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await connection.fetch(query)]
        finally:
            await connection.close()

    return asyncio.run(run())


SENT_ENDPOINTS = ("SELECT s.endpoint FROM notification_outbox n JOIN push_subscription s ON s.id = n.subscription "
                  "WHERE n.state = 'sent'")


def test_a_sender_killed_mid_batch_while_another_runs_loses_nothing(server_env, tmp_path, monkeypatch):
    from reportit.push.vapid import load_or_create

    monkeypatch.setattr(mock_module, "SLOW_SECONDS", 0.5)  # requests in flight when the kill comes
    browser = Browser.new()
    run = uuid.uuid4().hex[:6]
    with own_database(server_env, tmp_path) as env:
        service = MockPushService(browser, vapid_public_key=load_or_create(tmp_path).application_server_key)
        service.start()
        env = {**env, "REPORTIT_PUSH_HOSTS": service.host, "REPORTIT_PUSH_CA_FILE": service.ca_file,
               "REPORTIT_VAPID_SUBJECT": "mailto:live-tests@westminster.example"}
        senders: list[subprocess.Popen] = []
        try:
            # A report with its followers, made while no sender but the server's own runs (and it
            # has nothing to send: following sends nothing).
            with running_server(env) as (url, _process), httpx.Client(base_url=url, timeout=60) as http:
                reporter = {"Authorization": f"Bearer {http.post('/api/devices').json()['token']}"}
                content_type, parts = multipart(pothole())
                reference = http.post("/api/reports", content=b"".join(parts), headers={
                    **reporter, "Content-Type": content_type, "Idempotency-Key": str(uuid.uuid4())}).json()["reference"]
                for n in range(FOLLOWERS):
                    device = {"Authorization": f"Bearer {http.post('/api/devices').json()['token']}"}
                    assert http.put("/api/me/push-subscription", headers=device, json={
                        "endpoint": service.url("slow", f"{run}-{n}"), "expirationTime": None,
                        "keys": browser.keys}).status_code in (200, 201)
                    assert http.post(f"/api/reports/{reference}/follow", json={}, headers=device).status_code in (200, 201)

            def start_sender() -> subprocess.Popen:
                sender = subprocess.Popen([sys.executable, "-m", "reportit.cli", "send-notifications", "--interval",
                                           "0.5"], env={**os.environ, **env}, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                senders.append(sender)
                return sender

            cli(env, "status", reference, "in_progress", "--message", "A crew is on the way.")
            doomed = start_sender()  # claims the whole fan-out (one batch) and starts sending
            _wait_for(lambda: _delivered(service, run) >= 1, "the first sender never sent anything")
            start_sender()  # the other machine's sender: nothing is due for it while the claim holds
            # Killed once it has written down a first chunk of what it sent, mid-batch.
            _wait_for(lambda: len([r for r in sql(env, SENT_ENDPOINTS) if run in r[0]]) >= RECORD_EVERY,
                      "the first sender wrote nothing down while sending")
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(10)

            written = {row[0].rsplit("/", 1)[1] for row in sql(env, SENT_ENDPOINTS) if run in row[0]}
            sent_before = {path.rsplit("/", 1)[1] for path in service.delivered_counts() if run in path}
            assert len(sent_before) < FOLLOWERS, "the kill came too late to find the batch unfinished"
            # Its lease runs out (two minutes on the clock; moved here rather than waited for).
            sql(env, "UPDATE notification_outbox SET next_attempt_at = next_attempt_at - interval '1 day' "
                     "WHERE state = 'pending' AND claim_token <> ''" if "postgres" in env["DATABASE_URL"] else
                "UPDATE notification_outbox SET next_attempt_at = '2000-01-01 00:00:00+00:00' "
                "WHERE state = 'pending' AND claim_token <> ''")
            _wait_for(lambda: len([r for r in sql(env, SENT_ENDPOINTS) if run in r[0]]) == FOLLOWERS,
                      "the other sender did not finish the fan-out")
            time.sleep(2)  # anything sent a third time would show by now
        finally:
            for sender in senders:
                sender.kill()
                sender.wait(10)
            service.stop()

    counts = Counter({path.rsplit("/", 1)[1]: n for path, n in service.delivered_counts().items() if run in path})
    names = [f"{run}-{n}" for n in range(FOLLOWERS)]
    assert all(counts[name] >= 1 for name in names)  # nothing lost
    assert all(counts[name] == 1 for name in written)  # nothing written down as sent was sent again
    twice = {name for name in names if counts[name] > 1}
    assert max(counts.values()) <= 2
    # Sent again: only what it had sent but not yet written down when it died (its latest answers).
    assert twice <= sent_before - written, (len(twice), len(sent_before), len(written))
    assert len(written) >= RECORD_EVERY and len(twice) < len(sent_before)
    topics = {r.headers["topic"] for r in service.received if run in r.path}
    assert len(topics) == 1


def _delivered(service: MockPushService, run: str) -> int:
    return sum(n for path, n in service.delivered_counts().items() if run in path)


def _wait_for(condition, message: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)
