"""SQLite connections kept open for the length of a drain, for the sender's many short transactions.

Piccolo opens a new SQLite connection for every transaction: a new aiosqlite thread, a new
`sqlite3` connection that parses the whole schema again, `PRAGMA foreign_keys`: about 1.6 ms of
CPU here against 0.12 ms on a connection already open, and the event loop waits while the
thread starts. A fan-out of 250 messages is a claim and six writes of outcomes, so that was
~45 µs a message. `KeptSQLite` is an engine that hands `database.write_transaction` a kept
connection instead (opened as Piccolo opens one), sharing the real engine's transaction context,
so every Piccolo query and `fast_sql` statement inside runs on it, and `write_transaction`'s
rules (BEGIN IMMEDIATE, commit callbacks) stay as they are. PostgreSQL keeps a pool already.
"""

from __future__ import annotations

import contextlib

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

KEEP = 2  # connections kept idle: a claim and a write of outcomes overlap, no more


class _KeptTransaction(SQLiteTransaction):
    __slots__ = ()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        engine = self.engine
        assert isinstance(engine, KeptSQLite)
        healthy = False
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
            healthy = True
        finally:
            engine.current_transaction.reset(self.context)
            await engine.release(self.connection, healthy)
        return exception is None


class KeptSQLite(SQLiteEngine):
    """Opened for one drain, then `close()`d; its transactions are the real engine's to Piccolo."""

    def __init__(self, engine: SQLiteEngine) -> None:
        # Not SQLiteEngine.__init__: it checks the version on a thread of its own, every time.
        self.connection_kwargs = dict(engine.connection_kwargs)
        self.engine_type = engine.engine_type
        self.min_version_number = engine.min_version_number
        self.log_queries, self.log_responses = engine.log_queries, engine.log_responses
        self.query_id = 0
        # Piccolo's queries look for the transaction in progress on the tables' engine: share it.
        self.current_transaction = engine.current_transaction
        self._idle: list = []
        self._closing = False

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SQLiteTransaction:
        return _KeptTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def get_connection(self):
        if self._idle:
            return self._idle.pop()
        return await super().get_connection()

    async def release(self, connection, healthy: bool) -> None:
        if healthy and not self._closing and len(self._idle) < KEEP:
            self._idle.append(connection)
            return
        with contextlib.suppress(Exception):
            await connection.close()

    async def close(self) -> None:
        """Idle connections closed now, busy ones when their transaction ends."""
        self._closing = True
        idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(Exception):
                await connection.close()


def kept(engine: Engine) -> KeptSQLite | None:
    """A KeptSQLite for a SQLite engine; None for PostgreSQL (its pool keeps connections)."""
    return KeptSQLite(engine) if isinstance(engine, SQLiteEngine) and not isinstance(engine, KeptSQLite) else None
