"""Pooled PostgreSQL connections go back to the pool without asyncpg's reset (database.py), so
nothing may leave session state on them: what one request set would leak into the next."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.conftest import BACKEND
from tests.api.live_http import multipart
from tests.api.test_reports_api import pothole

SERVER = Path(__file__).resolve().parents[2] / "server" / "reportit"
SESSION_STATE = [
    (re.compile(r"""["']\s*SET\s+(?!LOCAL\b)(SESSION\s+)?[a-z_.]+\s*(=|TO\b)"""), "a session-wide SET (use SET LOCAL)"),
    (re.compile(r"pg_(try_)?advisory_lock(_shared)?\s*\(", re.IGNORECASE), "a session advisory lock (use pg_advisory_xact_lock)"),
    (re.compile(r"set_config\s*\([^)]*,\s*false\s*\)", re.IGNORECASE), "set_config(…, false) (use true: the transaction's)"),
    (re.compile(r"""["']\s*(DECLARE\s+\w+\s+.*CURSOR\s+WITH\s+HOLD)""", re.IGNORECASE), "a cursor held past its transaction"),
]
SESSION_LOCK = SESSION_STATE[1][0]
# LISTEN, and a feed's poll claimed with a session advisory lock, on connections of their own, never pooled.
OWN_CONNECTIONS = {"push/wakeups.py", "applications/feed_claim.py"}


def test_no_code_leaves_session_state_on_a_pooled_connection():
    found = []
    for path in SERVER.rglob("*.py"):
        relative = path.relative_to(SERVER).as_posix()
        text = path.read_text()
        own = relative in OWN_CONNECTIONS and "asyncpg.connect(" in text
        for pattern, what in SESSION_STATE:
            if not (own and pattern is SESSION_LOCK):
                found += [f"{relative}: {what}: {m.group(0)!r}" for m in pattern.finditer(text)]
        if not own and re.search(r"""["']\s*LISTEN\s""", text):
            found.append(f"{relative}: LISTEN on a pooled connection")
    assert not found, "\n".join(found)


@pytest.mark.skipif(BACKEND != "postgres", reason="the pool is PostgreSQL's")
async def test_connections_come_back_from_a_report_as_they_went(client, device, app):
    from piccolo.engine.postgres import PostgresEngine

    engine = app.state.services.engine
    assert isinstance(engine, PostgresEngine)
    content_type, parts = multipart(pothole(description="pool"), [])
    answer = await client.post("/api/reports", content=b"".join(parts), headers={
        "Content-Type": content_type, "Authorization": f"Bearer {device['token']}", "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    held = [await engine.pool.acquire() for _ in range(engine.pool.get_size())]
    try:
        for connection in held:
            assert not connection.is_in_transaction()
            # (asyncpg's type introspection sets jit "off" in the session whatever it was: the same value)
            changed = await connection.fetch(
                "SELECT name, setting, reset_val FROM pg_settings WHERE source = 'session' AND setting <> reset_val")
            assert not changed, [tuple(row) for row in changed]
            assert await connection.fetchval("SHOW jit") == "off"  # as connected (database.engine_for)
            assert await connection.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()") == 0
    finally:
        for connection in held:
            await engine.pool.release(connection)
