"""Wake-ups across processes: PostgreSQL's LISTEN/NOTIFY tells every sender about new outbox rows.

A status change made by another process (`reportit status`, another web worker, a console on
another machine) used to wait for the sender's poll. On PostgreSQL the transaction that writes the
rows also sends a NOTIFY, which PostgreSQL delivers to every listening connection when (and only
if) it commits; each sender keeps one connection LISTENing. On SQLite, or while that connection is
down, the poll still finds the rows: a wake-up is a hint, never the only way a row gets sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Callable

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

log = logging.getLogger(__name__)

CHANNEL = "reportit_outbox"
RECONNECT_SECONDS = 2.0


async def announce(engine: Engine) -> None:
    """Call inside the transaction that writes outbox rows: on PostgreSQL every listening sender is
    woken when it commits, and none if it rolls back. On SQLite (one machine) nothing: the sender's
    poll and this process's own wake-up (`database.after_commit`) do."""
    if isinstance(engine, PostgresEngine):
        await engine.run_querystring(QueryString("SELECT pg_notify({}, '')", CHANNEL))


class OutboxListener:
    """One asyncpg connection LISTENing on CHANNEL, calling `wake` for each notification.

    If the connection drops (PostgreSQL restarted, a network blip, an idle-connection killer) it
    connects again every RECONNECT_SECONDS, and wakes once on each (re)connection: rows may have
    been committed while nobody was listening."""

    def __init__(self, engine: PostgresEngine, wake: Callable[[], None]) -> None:
        self.engine = engine
        self.wake = wake
        self.listening = asyncio.Event()  # set while LISTEN is in force (tests wait for it)
        self.server_pid: int | None = None  # the listening backend, to tell it apart in pg_stat_activity
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-listener")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_until_lost()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the poll covers the gap; say so and try again
                log.warning("event=outbox_listener_down error=%s retry_in=%s", type(exc).__name__, RECONNECT_SECONDS)
            self.listening.clear()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_until_lost(self) -> None:
        lost = asyncio.Event()
        config = self.engine.config
        connection = await asyncpg.connect(**{**config, "server_settings": {
            **config.get("server_settings", {}), "application_name": "reportit-outbox-listener"}})
        try:
            connection.add_termination_listener(lambda _: lost.set())
            await connection.add_listener(CHANNEL, lambda *_: self.wake())
            self.server_pid = connection.get_server_pid()
            self.listening.set()
            log.info("event=outbox_listener_up channel=%s", CHANNEL)
            self.wake()
            await lost.wait()
            log.warning("event=outbox_listener_lost")
        finally:
            self.listening.clear()
            if not connection.is_closed():
                await asyncio.shield(connection.close(timeout=2))
