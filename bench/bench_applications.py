"""Open data: GET /api/applications near a point among 50,000 applications, p95 on SQLite and PostgreSQL.

Goal (issue 12): p95 <= 50 ms. The baseline, measured in the same run against the same server
and data, is the same requests with the spatial index dropped (every query scans the table),
so the ratio says what the index buys; GET /api/categories shows the server's floor. On SQLite the
search asks an R*Tree; the (latitude, longitude) index it used before is measured too (R*Tree
dropped), then the scan (both dropped).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx
from bench.throwaway_pg import throwaway_database

ROOT = Path(__file__).resolve().parents[1]
APPLICATIONS = 50_000
REQUESTS = 100
RADIUS_M = 500
BOUNDS = (51.4840, -0.2160, 51.5400, -0.1100)  # the example council's area
STATUSES = ("received", "validated", "under_consultation", "decided", "withdrawn", "appealed")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rows(count: int) -> list[tuple]:
    rng = random.Random(12)
    now = datetime.now(timezone.utc)
    south, west, north, east = BOUNDS
    rows = []
    for i in range(count):
        start = date.today() - timedelta(days=rng.randint(0, 400))
        regime = "planning" if i % 3 else "licensing"
        rows.append((f"B{i:06d}/FULL", regime, "full" if regime == "planning" else "new-premises",
                     f"{rng.randint(1, 300)} Bench Street, London", "", rng.uniform(south, north), rng.uniform(west, east),
                     "An application made up for the bench", rng.choice(STATUSES), start, start + timedelta(days=21),
                     None, None, "", None, "", False, 1, now, now))
    return rows


COLUMNS = ("reference", "regime", "application_type", "address", "uprn", "latitude", "longitude", "description", "status",
           "consultation_start", "consultation_end", "consultation_extended_to", "hearing_date", "decision",
           "decision_date", "documentation_url", "illustrative", "version", "received_at", "updated_at")


async def _fill(env: dict[str, str]) -> None:
    rows = _rows(APPLICATIONS)
    if env["DATABASE_URL"].startswith("postgresql"):
        import asyncpg

        connection = await asyncpg.connect(env["DATABASE_URL"])
        try:
            await connection.copy_records_to_table("application", records=rows, columns=list(COLUMNS))
            await connection.execute("ANALYZE application")
        finally:
            await connection.close()
    else:
        import sqlite3

        with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as connection:
            connection.executemany(f"INSERT INTO application ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                                   [tuple(v.isoformat() if isinstance(v, (date, datetime)) else v for v in r) for r in rows])
            connection.execute("ANALYZE")


async def _sql(env: dict[str, str], statement: str) -> None:
    if env["DATABASE_URL"].startswith("postgresql"):
        import asyncpg

        connection = await asyncpg.connect(env["DATABASE_URL"])
        try:
            await connection.execute(statement)
        finally:
            await connection.close()
    else:
        import sqlite3

        with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as connection:
            connection.execute(statement)


def _p95(url: str, paths: list[str]) -> tuple[float, float]:
    times = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for path in paths[:5]:
            client.get(path)  # warm up
        for path in paths:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    times.sort()
    return times[int(len(times) * 0.95) - 1], statistics.median(times)


def _near_paths() -> list[str]:
    rng = random.Random(7)
    south, west, north, east = BOUNDS
    return [f"/api/applications?near={rng.uniform(south, north):.5f},{rng.uniform(west, east):.5f}&radius={RADIUS_M}"
            for _ in range(REQUESTS)]


def _bench(database: str, url_for_db: str, folder: Path) -> list[dict]:
    env = {**os.environ, "REPORTIT_DATA_DIR": str(folder), "DATABASE_URL": url_for_db,
           "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"), "REPORTIT_LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    asyncio.run(_fill(env))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "reportit.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{url}/api/categories", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        paths = _near_paths()
        floor = _p95(url, ["/api/categories"] * REQUESTS)
        indexed = _p95(url, paths)
        found = httpx.get(f"{url}{paths[0]}").json()["total"]
        position = None
        if database == "sqlite":
            for statement in ("DROP TRIGGER application_point_insert", "DROP TRIGGER application_point_update",
                              "DROP TRIGGER application_point_delete", "DROP TABLE application_point"):
                asyncio.run(_sql(env, statement))
            position = _p95(url, paths)
            assert httpx.get(f"{url}{paths[0]}").json()["total"] == found
        asyncio.run(_sql(env, "DROP INDEX application_position"))
        scan = _p95(url, paths)
    finally:
        server.terminate()
        server.wait(timeout=30)
    index = "R*Tree" if database == "sqlite" else "position index"
    rows = [
        {"database": database, "case": "categories (floor)", "p95 ms": floor[0], "median ms": floor[1]},
        {"database": database, "case": f"near, {RADIUS_M} m, {index}", "p95 ms": indexed[0], "median ms": indexed[1],
         "found (first)": found, "goal p95 ms": 50, "met": "yes" if indexed[0] <= 50 else "no"},
    ]
    if position is not None:
        rows.append({"database": database, "case": "near, position index (before the R*Tree)", "p95 ms": position[0],
                     "median ms": position[1], "index speed-up": round(position[0] / indexed[0], 1)})
    rows.append({"database": database, "case": "near, no index (baseline scan)", "p95 ms": scan[0], "median ms": scan[1],
                 "index speed-up": round(scan[0] / indexed[0], 1)})
    return rows


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-applications-") as folder:
        sqlite_dir = Path(folder) / "sqlite"
        sqlite_dir.mkdir()
        rows += _bench("sqlite", f"sqlite:///{sqlite_dir / 'reportit.sqlite'}", sqlite_dir)
        with throwaway_database() as url:
            pg_dir = Path(folder) / "pg"
            pg_dir.mkdir()
            rows += _bench("postgresql", url, pg_dir)
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench.__main__ import show

    show(__doc__.strip().splitlines()[0], run())
