"""One poll of a feed at a time across processes. `reportit serve --workers N` starts N pollers of
each feed at the same moment: each downloaded the feed (up to 512 MB) and imported it, and on
PostgreSQL two imports of the same new references collided on their unique key (the loser rolled
back its batch and logged `feed_poll_crashed`). Now the first to claim a feed polls it and the
others skip that round; the next comes on the schedule.

PostgreSQL: a session advisory lock on a connection of its own, closed after the poll (never on a
pooled connection: those go back to the pool without a reset, see `database._nothing_to_reset`).
SQLite (one machine by nature): an flock on a file beside the database. Either is freed when the
process dies, so a crashed worker never keeps a feed from being polled.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from reportit.settings import Settings


@asynccontextmanager
async def claimed(url: str, engine: Engine, settings: Settings) -> AsyncIterator[bool]:
    """True inside while this process holds the feed at `url`; False when another poll has it."""
    if isinstance(engine, PostgresEngine):
        async with _advisory_lock(f"feed {url}", engine) as held:
            yield held
        return
    path = settings.config.sqlite_path.parent / f".feed-{hashlib.sha256(url.encode()).hexdigest()[:16]}.lock"
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held = False
        else:
            held = True
        yield held  # closing the file frees the lock


@asynccontextmanager
async def _advisory_lock(name: str, engine: PostgresEngine) -> AsyncIterator[bool]:
    config = engine.config
    connection = await asyncpg.connect(**{**config, "server_settings": {
        **config.get("server_settings", {}), "application_name": "reportit-feed-poll"}})
    try:
        yield await connection.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", name)
    finally:  # closing the session frees its lock
        await asyncio.shield(connection.close(timeout=2))
