"""Intake throughput on PostgreSQL with two web workers against one, in the same run.

Goal (issue 16): two workers take >= 1.6x the reports a second of one worker. Both runs use the
same database server, the same 400 KB photo and the same client load; the load generator shares the
machine's cores with the server, so the ratio here understates what two machines would give.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid

import httpx

from bench.bench_intake import ROOT, _free_port, photo_400kb

PG_ADMIN_URL = os.environ.get("REPORTIT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REPORTS = 160
CONCURRENCY = 12


async def _pg_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _start(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "reportit.cli", "serve", "--port", str(port), "--workers", str(workers)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


async def _load(url: str, photo: bytes) -> tuple[int, float]:
    data = {"category": "pothole", "answers": '{"danger": "no"}', "latitude": "51.4975",
            "longitude": "-0.1357", "accuracy": "10", "description": "bench"}
    async with httpx.AsyncClient(base_url=url, timeout=120) as setup:
        token = (await setup.post("/api/devices")).json()["token"]
    remaining = iter(range(REPORTS))
    stored = 0

    async def sender() -> None:
        nonlocal stored
        # One connection per sender: uvicorn's workers share the listening socket, so the kernel
        # spreads connections (not requests) over them.
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            for _ in remaining:
                response = await client.post("/api/reports", data=data, files={"photo": ("p.jpg", photo, "image/jpeg")},
                                             headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
                stored += response.status_code == 201

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(CONCURRENCY)))
    return stored, time.perf_counter() - started


def _measure(workers: int, photo: bytes) -> tuple[int, float]:
    name = f"reportit_bench_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "REPORTIT_DATA_DIR": data_dir, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
                   "REPORTIT_LOG_LEVEL": "WARNING", "REPORTIT_REPORTS_PER_HOUR": "1000000",
                   "DATABASE_URL": f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"}
            subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env=env, check=True, capture_output=True)
            process, url = _start(env, workers)
            try:
                return asyncio.run(_load(url, photo))
            finally:
                process.terminate()
                process.wait(timeout=40)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run() -> list[dict]:
    photo = photo_400kb()
    one_stored, one_elapsed = _measure(1, photo)
    two_stored, two_elapsed = _measure(2, photo)
    one, two = one_stored / one_elapsed, two_stored / two_elapsed
    ratio = two / one if one else float("nan")
    return [
        {"measure": "intake, 1 worker, PostgreSQL", "value": round(one, 1), "unit": "reports/s", "baseline": "",
         "ratio": "", "goal": "", "met": "", "note": f"{one_stored}/{REPORTS} stored"},
        {"measure": "intake, 2 workers, PostgreSQL", "value": round(two, 1), "unit": "reports/s",
         "baseline": round(one, 1), "ratio": round(ratio, 2), "goal": ">= 1.6x", "met": "yes" if ratio >= 1.6 else "no",
         "note": f"{two_stored}/{REPORTS} stored, {os.cpu_count()} cores shared with the client"},
    ]


if __name__ == "__main__":
    from bench.__main__ import show

    show(__doc__.strip().splitlines()[0], run())
