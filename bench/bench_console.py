"""Officer console: a filtered case list page (50 of 100,000 reports), p95 on SQLite and PostgreSQL.

Goal (issue 5): p95 <= 150 ms on each database. The baseline, from the same run and server, is
GET /api/categories (no database work to speak of); the unfiltered first page is shown too.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench.throwaway_pg import PostgresUnavailable, throwaway_database

ROOT = Path(__file__).resolve().parents[1]
REPORTS = 100_000
REQUESTS = 60
PASSWORD = "bench password 123"
CASES = {
    "categories (baseline)": "/api/categories",
    "first page, no filter": "/console/",
    "open, group streets, last 90 days": "/console/?status=received&status=investigating&status=in_progress"
                                         "&group=streets&from={from_date}",
    "area box + overdue": "/console/?south=51.50&west=-0.16&north=51.52&east=-0.13&overdue=1",
    "text search": "/console/?q=broken+slab",
    "sorted by status, page 20": "/console/?sort=status&order=asc&page=20",
}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _fill(env: dict[str, str]) -> None:
    sys.path.insert(0, str(ROOT))
    from reportit import database
    from reportit.settings import load_settings
    from tests.console.bulk import insert_reports

    settings = load_settings(env)
    engine = database.engine_for(settings)
    database.use(engine)
    await insert_reports(settings, REPORTS, "bench")
    # Fresh statistics for the query planner: PostgreSQL's autovacuum would gather them soon after
    # a bulk load; SQLite gathers them only when asked (ANALYZE / PRAGMA optimize).
    if settings.config.is_postgres:
        await _pg_analyze(settings.config.database_url)
    else:
        import sqlite3

        with sqlite3.connect(settings.config.sqlite_path) as connection:
            connection.execute("ANALYZE")


async def _pg_analyze(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def measure(backend: str, env: dict[str, str]) -> list[dict]:
    subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "reportit.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{url}/api/categories", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        asyncio.run(_fill(env))  # after start-up, which fills the category table
        email = f"bench-{secrets.token_hex(3)}@council.example"
        subprocess.run([sys.executable, "-m", "reportit.cli", "user", "add", email, "--role", "officer",
                        "--password", PASSWORD], env=env, check=True, capture_output=True)
        with httpx.Client(base_url=url, timeout=30) as http:
            form = http.get("/console/sign-in").text
            token = re.search(r'name="csrftoken" value="([^"]+)"', form).group(1)
            http.post("/console/sign-in", data={"email": email, "password": PASSWORD, "csrftoken": token})
            from_date = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 90 * 86400))
            timings: dict[str, list[float]] = {}
            for name, path in CASES.items():
                path = path.format(from_date=from_date)
                assert http.get(path).status_code == 200, path  # warm up, and check it works
                samples = []
                for _ in range(REQUESTS):
                    started = time.perf_counter()
                    response = http.get(path)
                    samples.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                timings[name] = samples
    finally:
        server.terminate()
        server.wait(timeout=10)
    baseline = _p95(timings["categories (baseline)"])
    return [
        {"database": backend, "request": name, "p50 ms": statistics.median(s), "p95 ms": _p95(s),
         "ratio to baseline": _p95(s) / baseline,
         "goal": "" if name.startswith("categories") else ("met" if _p95(s) <= 150 else "MISSED (150 ms)")}
        for name, s in timings.items()
    ]


def run() -> list[dict]:
    rows: list[dict] = []
    base = {**os.environ, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"), "REPORTIT_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**base, "REPORTIT_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        rows += measure("sqlite", env)
    try:
        with throwaway_database() as url, tempfile.TemporaryDirectory() as data_dir:
            rows += measure("postgresql", {**base, "REPORTIT_DATA_DIR": data_dir, "DATABASE_URL": url})
    except PostgresUnavailable as exc:
        return rows + [{"database": "postgresql", "request": f"skipped: {exc}"}]
    return rows


if __name__ == "__main__":
    from bench.__main__ import show

    show(__doc__.splitlines()[0], run())
