"""Straight to the driver, inside the caller's write transaction: many rows into one table at once
(`executemany`), and a query answered in one round trip (`fetch_rows`).

Piccolo builds a Table object per row and compiles every value into its query: about 0.6 ms a row
here, which made one import's 20,000 alert notifications take 13 s. The driver takes the same rows
as tuples in a few milliseconds. And on SQLite each Piccolo query is several hops to aiosqlite's
thread and back (~0.2 ms each on a busy machine); `fetch_rows` is one. Values go as parameters,
never into the SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.table import Table


def _transaction(table: type[Table]):
    transaction = table._meta.db.current_transaction.get()
    if transaction is None:
        raise RuntimeError("fast_sql runs inside a write transaction (database.write_transaction)")
    return transaction


def placeholders(table: type[Table], count: int, start: int = 1) -> list[str]:
    """The driver's numbered parameter marks (`?n` on SQLite, `$n` on PostgreSQL): one may be used twice."""
    mark = "?" if table._meta.db.engine_type == "sqlite" else "$"
    return [f"{mark}{n}" for n in range(start, start + count)]


async def fetch_rows(table: type[Table], sql: str, params: Sequence) -> list[dict]:
    """`sql` written with `placeholders(table, …)`; rows as dicts."""
    connection = _transaction(table).connection
    if table._meta.db.engine_type == "sqlite":
        return list(await connection.execute_fetchall(sql, list(params)))
    return [dict(record) for record in await connection.fetch(sql, *params)]


async def insert_rows(table: type[Table], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    if not rows:
        return
    transaction = _transaction(table)
    names = ", ".join(f'"{column}"' for column in columns)
    if table._meta.db.engine_type == "sqlite":
        marks = ", ".join(placeholders(table, len(columns)))
        sql = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})'
        await transaction.connection.executemany(sql, list(rows))
        return
    # One statement, one array per column: asyncpg's executemany prepares its statement afresh on
    # every call (a round trip and a plan), this one is prepared once and cached by the connection.
    arrays = ", ".join(f"${n}::{_sql_type(table, column)}[]" for n, column in enumerate(columns, start=1))
    sql = f'INSERT INTO "{table._meta.tablename}" ({names}) SELECT * FROM unnest({arrays})'
    await transaction.connection.execute(sql, *(list(values) for values in zip(*rows)))


def _sql_type(table: type[Table], column: str) -> str:
    found = table._meta.get_column_by_name(column).column_type
    return "text" if found.startswith("VARCHAR") else found
