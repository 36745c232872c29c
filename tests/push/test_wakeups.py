"""Wake-ups across processes: on PostgreSQL a status change committed by another process wakes a
sender at once (LISTEN/NOTIFY), even one whose poll would not come round for ten minutes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from reportit.app_state import services
from reportit.push.sender import Sender, SenderConfig
from reportit.push.tables import Notification
from tests.conftest import BACKEND, ROOT
from tests.push.conftest import new_report, subscribe, unique_name

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="LISTEN/NOTIFY is PostgreSQL's; SQLite polls")


async def _status_from_another_process(env: dict[str, str], reference: str, status: str) -> None:
    command = [sys.executable, "-m", "reportit.cli", "status", reference, status, "--message", f"Now {status}."]
    result = await asyncio.to_thread(subprocess.run, command, env={**os.environ, **env}, cwd=ROOT,
                                     capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


async def _delivered(mock_push, name: str, count: int) -> list:
    deadline = asyncio.get_running_loop().time() + 30
    while len(mock_push.delivered(name)) < count:
        assert asyncio.get_running_loop().time() < deadline, f"push {count} for {name} never arrived"
        await asyncio.sleep(0.05)
    return mock_push.delivered(name)


async def _listening(sender: Sender, server_pid: int | None = None) -> int:
    """Wait until the sender LISTENs (on a new connection, if the old one's pid is given)."""
    deadline = asyncio.get_running_loop().time() + 30
    while not (sender.listener and sender.listener.listening.is_set() and sender.listener.server_pid != server_pid):
        assert asyncio.get_running_loop().time() < deadline, "the sender never listened"
        await asyncio.sleep(0.05)
    return sender.listener.server_pid  # type: ignore[return-value]


async def test_a_status_change_by_another_process_wakes_a_sender_that_would_poll_in_ten_minutes(
        push_client, resident, browser, mock_push, push_settings, push_app, server_env, quiet_senders):
    reference = await new_report(push_client, resident)
    name = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", name))
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, config=SenderConfig(poll_interval=600))
    sender.start()
    try:
        first_listener = await _listening(sender)
        await asyncio.sleep(0.5)  # its first drain (of nothing) is over: from now on only a wake-up helps

        await _status_from_another_process(server_env, reference, "investigating")
        [first] = await _delivered(mock_push, name, 1)
        assert first.payload["notification"]["body"] == "Now investigating."

        # The listening connection drops (say PostgreSQL restarted it): the sender listens again.
        await Notification.raw("SELECT pg_terminate_backend({})", first_listener)
        await _listening(sender, first_listener)
        await _status_from_another_process(server_env, reference, "fixed")
        assert [r.payload["notification"]["body"] for r in await _delivered(mock_push, name, 2)] == [
            "Now investigating.", "Now fixed."]
    finally:
        await sender.aclose()
