"""Intake throughput with a 400 KB photo on one uvicorn worker (SQLite), and whether image work blocks the event loop.

Goals (issue 2): >= 40 reports/s, while GET /api/categories keeps p99 <= 50 ms. The idle p99 of
the same GET, measured in the same run, is the baseline for the ratio.
"""

from __future__ import annotations

import asyncio
import io
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
REPORTS = 200
CONCURRENCY = 8


def photo_400kb() -> bytes:
    rng = random.Random(7)
    image = Image.new("RGB", (1600, 1200))
    image.putdata([(rng.randrange(90, 160),) * 3 for _ in range(1600 * 1200 // 16)] * 16)
    for quality in (85, 75, 65, 55, 45):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= 450_000:
            break
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(data_dir: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "REPORTIT_DATA_DIR": data_dir, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
           "REPORTIT_LOG_LEVEL": "WARNING", "REPORTIT_REPORTS_PER_HOUR": "1000000"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env=env, check=True, capture_output=True)
    process = subprocess.Popen([sys.executable, "-m", "reportit.cli", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/api/categories", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


async def _probe(client: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        response = await client.get("/api/categories")
        response.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.01)
    return latencies


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else float("nan")


async def _measure(url: str, photo: bytes) -> dict:
    async with httpx.AsyncClient(base_url=url, timeout=60) as probe_client, \
            httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=CONCURRENCY)) as client:
        stop = asyncio.Event()
        idle_task = asyncio.create_task(_probe(probe_client, stop))
        await asyncio.sleep(2)
        stop.set()
        idle = await idle_task

        token = (await client.post("/api/devices")).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        data = {"category": "pothole", "answers": '{"danger": "no"}', "latitude": "51.4975",
                "longitude": "-0.1357", "accuracy": "10", "description": "bench"}
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(REPORTS):
            queue.put_nowait(n)
        statuses: list[int] = []

        async def worker() -> None:
            while not queue.empty():
                queue.get_nowait()
                response = await client.post(
                    "/api/reports", data=data, files={"photo": ("p.jpg", photo, "image/jpeg")},
                    headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
                statuses.append(response.status_code)

        stop = asyncio.Event()
        loaded_task = asyncio.create_task(_probe(probe_client, stop))
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
        stop.set()
        loaded = await loaded_task
    return {"idle": idle, "loaded": loaded, "elapsed": elapsed, "statuses": statuses}


def run() -> list[dict]:
    photo = photo_400kb()
    with tempfile.TemporaryDirectory() as data_dir:
        process, url = _start_server(data_dir)
        try:
            result = asyncio.run(_measure(url, photo))
        finally:
            process.terminate()
            process.wait(timeout=10)
    ok = sum(1 for s in result["statuses"] if s == 201)
    rate = ok / result["elapsed"]
    idle_p99, loaded_p99 = _p99(result["idle"]), _p99(result["loaded"])
    return [
        {"measure": f"intake, {len(photo) // 1000} KB photo, {CONCURRENCY} at once", "value": round(rate, 1),
         "unit": "reports/s", "baseline": "", "ratio": "", "goal": ">= 40", "met": "yes" if rate >= 40 else "no",
         "note": f"{ok}/{REPORTS} stored"},
        {"measure": "GET /api/categories p99 during intake", "value": round(loaded_p99, 1), "unit": "ms",
         "baseline": round(idle_p99, 1), "ratio": round(loaded_p99 / idle_p99, 1) if idle_p99 else "",
         "goal": "<= 50 ms", "met": "yes" if loaded_p99 <= 50 else "no", "note": f"{len(result['loaded'])} probes"},
    ]


if __name__ == "__main__":
    from bench.__main__ import show

    show(__doc__.strip().splitlines()[0], run())
