"""Many reports, fast: straight to the database driver, bypassing the ORM (tests and bench only)."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import datetime, timedelta, timezone

from reportit.settings import Settings

COLUMNS = ("reference", "category", "status", "description", "answers", "latitude", "longitude", "location_source",
           "location_text", "contact_name", "contact_email", "contact_phone", "source", "private", "hidden",
           "fingerprint", "created_at", "updated_at")


def rows(count: int, category_ids: list[int], statuses: list[str], marker: str, prefix: str) -> list[tuple]:
    """Reports spread over a year and over the council's area, with believable text."""
    rng = random.Random(count)
    now = datetime.now(timezone.utc)
    out = []
    for i in range(count):
        created = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        out.append((
            f"{prefix}{i:07d}", rng.choice(category_ids), rng.choice(statuses),
            f"{marker} report {i}: {rng.choice(['deep hole', 'broken slab', 'rubbish bags', 'dark lamp'])}",
            "{}", 51.49 + rng.random() * 0.045, -0.20 + rng.random() * 0.085, "device",
            rng.choice(["Victoria Street", "Strand", "Pimlico Road", ""]), "", "", "", "bulk", False, False, "",
            created, created,
        ))
    return out


async def insert_reports(settings: Settings, count: int, marker: str, prefix: str = "B") -> None:
    from reportit.reports.tables import Category

    category_ids = [r["id"] for r in await Category.select(Category.id).where(Category.signpost == False)]  # noqa: E712
    statuses = [s.code for s in settings.catalogue.statuses]
    data = rows(count, category_ids, statuses, marker, prefix)
    if settings.config.is_postgres:
        import asyncpg

        connection = await asyncpg.connect(settings.config.database_url)
        try:
            await connection.copy_records_to_table("report", records=data, columns=list(COLUMNS))
        finally:
            await connection.close()
        return

    def write() -> None:
        stamp = "%Y-%m-%d %H:%M:%S.%f+00:00"  # how Piccolo stores Timestamptz in SQLite
        with sqlite3.connect(settings.config.sqlite_path, timeout=60) as connection:
            connection.executemany(
                f"INSERT INTO report ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [(*r[:-2], r[-2].strftime(stamp), r[-1].strftime(stamp)) for r in data])

    await asyncio.to_thread(write)


async def delete_reports(settings: Settings) -> None:
    from reportit.reports.tables import Report

    await Report.delete().where(Report.source == "bulk")
