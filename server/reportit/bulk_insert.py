"""Many rows into one table at once, inside the caller's write transaction, straight through the
driver's `executemany`.

Piccolo builds a Table object per row and compiles every value into its query: about 0.6 ms a row
here, which made one import's 20,000 alert notifications take 13 s. The driver takes the same rows
as tuples in a few milliseconds. Values go as parameters, never into the SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.table import Table


async def insert_rows(table: type[Table], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    if not rows:
        return
    engine = table._meta.db
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("insert_rows runs inside a write transaction (database.write_transaction)")
    names = ", ".join(f'"{column}"' for column in columns)
    if engine.engine_type == "sqlite":
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    sql = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})'
    await transaction.connection.executemany(sql, list(rows))
