"""Intake throughput on PostgreSQL with two web workers against one, in the same run.

Goal (issue 16): two workers take >= 1.6x the reports a second of one worker. Both runs use the
same database server and the same client load, from a load generator lean enough (pre-encoded
requests on kept-alive connections, ~0.1 ms of CPU each) not to be what is measured.

Two loads:
- report records: what every phone sends first since photos go separately and resumably (issue
  14); the work is Python on the worker's event loop, one core a worker at most, so a second worker
  can add what the machine has spare. This is the row the goal applies to.
- reports with a 400 KB photo in the same request (old clients): one worker already decodes and
  re-encodes photos on a thread per core, so on this 2-core machine one worker uses the cores a
  second would need. Shown with the cores each run kept busy, so the ratio reads for what it is.
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
from collections.abc import Callable

import httpx

from bench.bench_intake import ROOT, _free_port, photo_400kb
from bench.throwaway_pg import throwaway_database

CONCURRENCY = 12
RECORDS = int(os.environ.get("BENCH_RECORDS", 1200))
PHOTO_REPORTS = 160
FIELDS = {"category": "pothole", "answers": '{"danger": "no"}', "latitude": "51.4975",
          "longitude": "-0.1357", "accuracy": "10", "description": "bench"}


def _start(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "reportit.cli", "serve", "--port", str(port), "--workers", str(workers)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                time.sleep(2)  # the server answers once one worker listens; let the rest start too
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def _multipart(photo: bytes | None) -> tuple[str, bytes]:
    boundary = secrets.token_hex(12)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in FIELDS.items()]
    if photo is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def _requests(port: int, token: str, photo: bytes | None) -> Callable[[], bytes]:
    content_type, body = _multipart(photo)
    head = (f"POST /api/reports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: ")
    return lambda: f"{head}{uuid.uuid4()}\r\n\r\n".encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _load(url: str, photo: bytes | None, reports: int) -> tuple[int, float]:
    """`reports` sent by CONCURRENCY kept-alive connections; (how many were stored, seconds)."""
    port = int(url.rsplit(":", 1)[1])
    async with httpx.AsyncClient(base_url=url, timeout=120) as setup:
        token = (await setup.post("/api/devices")).json()["token"]
    request = _requests(port, token, photo)
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(CONCURRENCY)]
    try:
        await asyncio.gather(*(_exchange(r, w, request()) for r, w in connections))  # warm-up, not counted
        remaining = iter(range(reports))
        stored = 0

        async def sender(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal stored
            for _ in remaining:
                created = await _exchange(reader, writer, request()) == 201
                stored += created  # (after the await: `stored += await …` would read `stored` before it)

        started = time.perf_counter()
        await asyncio.gather(*(sender(r, w) for r, w in connections))
        return stored, time.perf_counter() - started
    finally:
        for _, writer in connections:
            writer.close()


def _cpu_seconds(pid: int) -> float:
    """CPU time of `pid` and of its children still running (the workers)."""
    def own(p: int) -> float:
        fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        children += [int(c) for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
    return own(pid) + sum(own(c) for c in children)


def _postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL process on this machine (the local server the bench uses)."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _measure(workers: int, photo: bytes | None, reports: int) -> tuple[int, float, dict[str, float]]:
    """(stored, reports a second, CPU milliseconds a report: server, PostgreSQL, client)."""
    with throwaway_database() as database_url, tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "REPORTIT_DATA_DIR": data_dir, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
               "REPORTIT_LOG_LEVEL": "WARNING", "REPORTIT_REPORTS_PER_HOUR": "1000000", "DATABASE_URL": database_url}
        subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env=env, check=True, capture_output=True)
        process, url = _start(env, workers)
        try:
            before = _cpu_seconds(process.pid), _postgres_cpu_seconds(), time.process_time()
            stored, elapsed = asyncio.run(_load(url, photo, reports))
            after = _cpu_seconds(process.pid), _postgres_cpu_seconds(), time.process_time()
            cpu = {part: (a - b) * 1000 / max(stored, 1)
                   for part, a, b in zip(("server", "postgres", "client"), after, before)}
            return stored, stored / elapsed, cpu
        finally:
            process.terminate()
            process.wait(timeout=40)


def _note(stored: int, reports: int, rate: float, cpu: dict[str, float]) -> str:
    busy = rate * sum(cpu.values()) / 1000
    return (f"{stored}/{reports} stored; CPU ms a report: server {cpu['server']:.1f}, PostgreSQL {cpu['postgres']:.1f}, "
            f"client {cpu['client']:.1f}; {busy:.2f} of {os.cpu_count()} cores busy")


def _rows(what: str, photo: bytes | None, reports: int, goal: str) -> list[dict]:
    one_stored, one, one_cpu = _measure(1, photo, reports)
    two_stored, two, two_cpu = _measure(2, photo, reports)
    ratio = two / one if one else float("nan")
    # What this machine allows at most: all its cores, at what a report cost with two workers.
    ceiling = (os.cpu_count() or 1) * 1000 / sum(two_cpu.values()) / one if one else float("nan")
    return [
        {"measure": f"{what}, 1 worker", "value": round(one, 1), "unit": "reports/s", "baseline": "", "ratio": "",
         "goal": "", "met": "", "note": _note(one_stored, reports, one, one_cpu)},
        {"measure": f"{what}, 2 workers", "value": round(two, 1), "unit": "reports/s", "baseline": round(one, 1),
         "ratio": round(ratio, 2), "goal": goal, "met": ("yes" if ratio >= 1.6 else "no") if goal else "",
         "note": _note(two_stored, reports, two, two_cpu) + f"; this machine's ceiling {ceiling:.2f}x"},
    ]


def run() -> list[dict]:
    return [
        *_rows("report records, PostgreSQL", None, RECORDS, ">= 1.6x"),
        *_rows("reports with a 400 KB photo, PostgreSQL", photo_400kb(), PHOTO_REPORTS, ""),
    ]


if __name__ == "__main__":
    from bench.__main__ import show

    show(__doc__.strip().splitlines()[0], run())
