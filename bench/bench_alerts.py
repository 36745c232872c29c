"""Alerts: one import of 1,000 applications against 100,000 alert areas, on SQLite and PostgreSQL.

Goal (issue 12): every matching notification queued in <= 2 s, >= 20x a loop over all alerts. The
1,000 ApplicationReceived events are published in one write transaction, as an import does; the
alerts' handler matches each through the spatial index (SQLite R*Tree, PostgreSQL GiST over the
bounding box) and writes push outbox rows for 20,000 phones (5 alerts each, one push subscription
each). The baseline, in the same run, is the same matching done by reading every alert of the kind
and measuring each distance, timed over the first BASELINE_APPLICATIONS applications and scaled to
1,000; its matches for those are checked against the index's ("agree").
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from bench.throwaway_pg import PostgresUnavailable, throwaway_database

ROOT = Path(__file__).resolve().parents[1]
ALERTS = 100_000
PHONES = 20_000
APPLICATIONS = 1_000
BASELINE_APPLICATIONS = 10
# Greater London, roughly: alerts are where residents live, applications where they are made.
SOUTH, NORTH, WEST, EAST = 51.29, 51.69, -0.51, 0.33
RADII = ([100] * 30 + [200] * 30 + [300] * 20 + [500] * 12 + [1000] * 6 + [2000] * 2)


def _alerts(rng: random.Random) -> list[tuple]:
    from reportit.alerts.geometry import bounding_box

    rows = []
    for i in range(ALERTS):
        lat, lng = rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)
        radius = rng.choice(RADII)
        box = bounding_box(lat, lng, radius)
        rows.append((i % PHONES + 1, "Home", lat, lng, radius, *box, rng.random() < 0.8, rng.random() < 0.5))
    return rows


ALERT_COLUMNS = ["device", "label", "latitude", "longitude", "radius", "min_lat", "max_lat", "min_lng", "max_lng",
                 "planning", "licensing"]


async def _fill(settings) -> None:
    rng = random.Random(12)
    phones = [(str(uuid.uuid4()), secrets.token_hex(32)) for _ in range(PHONES)]
    subscriptions = [(i + 1, f"https://push.example/bench/{i}", "BP" + "A" * 85, "A" * 22) for i in range(PHONES)]
    alerts = _alerts(rng)
    if settings.config.is_postgres:
        import asyncpg

        connection = await asyncpg.connect(settings.config.database_url)
        try:
            await connection.copy_records_to_table("device", records=[(uuid.UUID(d), t) for d, t in phones],
                                                   columns=["device_id", "token_hash"])
            await connection.copy_records_to_table("push_subscription", records=subscriptions,
                                                   columns=["device", "endpoint", "p256dh", "auth"])
            await connection.copy_records_to_table("alert", records=alerts, columns=ALERT_COLUMNS)
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
        return
    with sqlite3.connect(settings.config.sqlite_path) as connection:
        connection.executemany("INSERT INTO device (device_id, token_hash) VALUES (?, ?)", phones)
        connection.executemany("INSERT INTO push_subscription (device, endpoint, p256dh, auth) VALUES (?, ?, ?, ?)",
                               subscriptions)
        connection.executemany(f"INSERT INTO alert ({', '.join(ALERT_COLUMNS)}) VALUES ({', '.join('?' * 11)})",
                               alerts)
        connection.execute("ANALYZE")


def _applications(rng: random.Random) -> list[tuple[str, float, float]]:
    return [(f"B{i:05d}", rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for i in range(APPLICATIONS)]


async def _scan(lat: float, lng: float) -> set[int]:
    """The baseline: every planning alert read and measured."""
    from reportit.alerts.geometry import distance_m
    from reportit.alerts.tables import Alert

    rows = await Alert.select(Alert.id, Alert.latitude, Alert.longitude, Alert.radius).where(
        (Alert.planning == True) & Alert.latitude.is_not_null())  # noqa: E712
    return {r["id"] for r in rows if distance_m(lat, lng, r["latitude"], r["longitude"]) <= r["radius"]}


async def measure(backend: str, env: dict[str, str]) -> dict:
    sys.path.insert(0, str(ROOT))
    from reportit import database, events, wiring
    from reportit.alerts.matching import alerts_at
    from reportit.push.tables import Notification
    from reportit.settings import load_settings

    settings = load_settings(env)
    engine = database.engine_for(settings)
    database.use(engine)
    await database.start_pool(engine)
    try:
        wiring.wire_domains()
        await _fill(settings)
        applications = _applications(random.Random(1))
        started = time.perf_counter()
        async with database.write_transaction(engine):
            for number, (reference, lat, lng) in enumerate(applications):
                await events.publish(events.ApplicationReceived(
                    application_id=number + 1, version_id=number + 1, reference=reference, regime="planning",
                    application_type="full", address="1 Bench Street", description="A bench application",
                    latitude=lat, longitude=lng), settings)
        indexed = time.perf_counter() - started
        queued = await Notification.count().where(Notification.url.like("/a/B%"))

        agree = True
        started = time.perf_counter()
        for _reference, lat, lng in applications[:BASELINE_APPLICATIONS]:
            scanned = await _scan(lat, lng)
            async with database.write_transaction(engine):
                indexed_matches = {m.alert_id for m in await alerts_at(lat, lng, "planning")}
            agree = agree and scanned == indexed_matches
        scan = (time.perf_counter() - started) / BASELINE_APPLICATIONS * APPLICATIONS
    finally:
        await database.close_pool(engine)
    return {"database": backend, "alerts": ALERTS, "applications": APPLICATIONS, "rows queued": queued,
            "indexed s": indexed, "loop over all alerts s (scaled)": scan, "ratio": scan / indexed,
            "agree": "yes" if agree else "NO",
            "goal": "met" if indexed <= 2 and scan / indexed >= 20 else "MISSED (<= 2 s, >= 20x)"}


def _migrate(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env=env, check=True, capture_output=True)


def run() -> list[dict]:
    rows: list[dict] = []
    base = {**os.environ, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"), "REPORTIT_LOG_LEVEL": "WARNING",
            "REPORTIT_SMTP_URL": "smtp://127.0.0.1:9"}
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**base, "REPORTIT_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        _migrate(env)
        rows.append(asyncio.run(measure("sqlite", env)))
    try:
        with throwaway_database() as url, tempfile.TemporaryDirectory() as data_dir:
            env = {**base, "REPORTIT_DATA_DIR": data_dir, "DATABASE_URL": url}
            _migrate(env)
            rows.append(asyncio.run(measure("postgresql", env)))
    except PostgresUnavailable as exc:
        return rows + [{"database": "postgresql", "goal": f"skipped: {exc}"}]
    return rows


if __name__ == "__main__":
    from bench.__main__ import show

    show(__doc__.splitlines()[0], run())
