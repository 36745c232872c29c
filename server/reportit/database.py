"""The database engine: SQLite in the data dir by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, redirect_stdout
from contextvars import ContextVar
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from reportit.settings import Settings

log = logging.getLogger(__name__)

os.environ.setdefault("PICCOLO_CONF", "reportit.piccolo_conf")

UNIQUE_VIOLATIONS: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
try:
    from asyncpg.exceptions import UniqueViolationError

    UNIQUE_VIOLATIONS += (UniqueViolationError,)
except ImportError:  # pragma: no cover - asyncpg is a dependency
    pass


def engine_for(settings: Settings) -> Engine:
    if settings.config.is_postgres:
        url = urlparse(settings.config.database_url)
        return PostgresEngine(
            config={
                "host": url.hostname or "127.0.0.1",
                "port": url.port or 5432,
                "user": unquote(url.username or "postgres"),
                "password": unquote(url.password or ""),
                "database": url.path.lstrip("/"),
                # JIT compiles plans whose estimated cost crosses a threshold: a service's short
                # queries gain nothing from it, and alert matching's many-point query spent longer
                # compiling than running. Off for the connection (not `SET LOCAL`: asyncpg's type
                # introspection copies a transaction's setting into the session, which outlived
                # the transaction on a pooled connection).
                "server_settings": {"jit": "off", "application_name": "reportit"},
            }
        )
    settings.config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    _prepare_sqlite(str(settings.config.sqlite_path))
    # Writers queue for the lock (up to `timeout` seconds) instead of failing.
    return SQLiteEngine(path=str(settings.config.sqlite_path), timeout=30)


def _prepare_sqlite(path: str) -> None:
    """WAL lets readers work while a writer commits. Without planner statistics SQLite may pick a
    poor index for the console's filters, so a database that has none gets them once; after that
    `optimize` refreshes them where they have gone stale."""
    # Another process (the server, its sender) may be writing: wait for the lock as the engine does.
    with sqlite3.connect(path, timeout=30) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        has_stats = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).fetchone() and connection.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = 'report'").fetchone()
        try:
            connection.execute("PRAGMA optimize" if has_stats else "ANALYZE")
        except sqlite3.OperationalError as error:  # statistics help the planner; a command must not fail for them
            log.warning("event=sqlite_statistics_skipped error=%s", error)


def use(engine: Engine) -> None:
    """Point Piccolo and every table of ours at `engine`."""
    from piccolo.conf.apps import Finder

    from reportit import piccolo_conf

    piccolo_conf.DB = engine
    for table in Finder().get_table_classes():
        table._meta.db = engine


@asynccontextmanager
async def write_transaction(engine: Engine) -> AsyncIterator[None]:
    """A transaction that takes the write lock up front on SQLite, so concurrent writers queue.

    Nested ones join the outermost (Piccolo's default); callbacks given to `after_commit` inside
    run once the outermost has committed, and never if it rolls back; those given to
    `before_commit` run inside it, last, when its body has succeeded.
    """
    if _after_commit.get() is not None:
        async with _transaction(engine):
            yield
        return
    callbacks: list[Callable[[], None]] = []
    finishing: list[Callable[[], Awaitable[None]]] = []
    token = _after_commit.set(callbacks)
    finishing_token = _before_commit.set(finishing)
    try:
        async with _transaction(engine):
            yield
            while finishing:  # one may ask for another
                await finishing.pop(0)()
    finally:
        _after_commit.reset(token)
        _before_commit.reset(finishing_token)
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the commit stands; a callback's failure is only logged
            log.exception("event=after_commit_failed callback=%r", callback)


@asynccontextmanager
async def exclusive(engine: Engine, name: str) -> AsyncIterator[None]:
    """A write transaction that one process at a time holds for `name`: what every web worker does
    at start-up (`reportit serve --workers N` starts them together) runs once after another, so the
    second sees what the first wrote instead of racing it to the same unique key. SQLite's
    BEGIN IMMEDIATE already serialises writers; PostgreSQL takes an advisory lock for the
    transaction."""
    async with write_transaction(engine):
        if isinstance(engine, PostgresEngine):
            transaction = engine.current_transaction.get()
            await transaction.connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", name)
        yield


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` when the write transaction in progress commits (at once outside one): say,
    waking the sender for outbox rows, which it can only see once they are committed."""
    callbacks = _after_commit.get()
    if callbacks is None:
        callback()
    else:
        callbacks.append(callback)


def before_commit(callback: Callable[[], Awaitable[None]]) -> None:
    """Run `callback` at the end of the write transaction in progress, inside it: work that many
    events of one transaction share (alerts match a whole import's applications at once)."""
    finishing = _before_commit.get()
    if finishing is None:
        raise RuntimeError("before_commit needs a write transaction in progress")
    finishing.append(callback)


def in_write_transaction() -> bool:
    return _after_commit.get() is not None


_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar("after_commit", default=None)
_before_commit: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar("before_commit", default=None)


def _transaction(engine: Engine):
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def migrate() -> None:
    """Run every app's migrations forwards, in dependency order, and log one line.

    Piccolo prints a banner per app, and on a fresh database it says "3 migrations already complete"
    next to "3 migrations not yet run" for the same three: a newcomer's first screen should not
    contradict itself. Its output is kept for the error message if a migration fails.
    """
    from piccolo.apps.migrations.commands.forwards import run_forwards

    before = await _applied_migrations()
    printed = io.StringIO()
    with redirect_stdout(printed):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{printed.getvalue()}")
    log.info("event=migrated applied=%d", await _applied_migrations() - before)


async def _applied_migrations() -> int:
    from piccolo.apps.migrations.tables import Migration

    return await Migration.count() if await Migration.table_exists() else 0


async def start_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10, reset=_nothing_to_reset)


async def _nothing_to_reset(connection) -> None:
    """What a pooled connection needs on its way back to the pool, beyond the rollback of a
    transaction left open that asyncpg always does: nothing. The service never leaves session state
    on a pooled connection: settings are `SET LOCAL`, advisory locks `pg_advisory_xact_lock`, no
    cursor outlives its transaction, and LISTEN and a feed poll's session lock have connections of
    their own (push/wakeups.py, applications/feed_claim.py);
    tests/unit/test_pool_session_state.py keeps it so. asyncpg's default reset ran
    `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` on every release: a round
    trip and a server-side RESET ALL for each of the eight queries a report takes outside its
    transaction."""


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
