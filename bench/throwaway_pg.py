"""A throwaway PostgreSQL database for one bench run: created, its URL handed out, dropped after.

The server is the one the tests use (REPORTIT_TEST_PG, an admin URL; make bench starts it)."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

ADMIN_URL = os.environ.get("REPORTIT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


class PostgresUnavailable(Exception):
    """The database could not be made (no server): a bench may skip its PostgreSQL rows."""


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextmanager
def throwaway_database(prefix: str = "reportit_bench") -> Iterator[str]:
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except OSError as exc:
        raise PostgresUnavailable(str(exc)) from exc
    try:
        yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
