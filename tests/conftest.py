"""Shared fixtures: a real database (SQLite file or a throwaway PostgreSQL database), the app
with its lifespan running, an HTTP client, and a real server on loopback for browser tests.

REPORTIT_TEST_DATABASE=postgres runs everything against PostgreSQL on 127.0.0.1:5432.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import AsyncIterator, Iterator, Sequence

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("REPORTIT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKEND = os.environ.get("REPORTIT_TEST_DATABASE", "sqlite")

# Push's mock push service, SMTP server and app: one of each for every directory that uses them.
pytest_plugins = ("tests.push.fixtures", "tests.object_storage", "tests.basemap.fixtures")


def pytest_report_header(config) -> str:
    return f"reportit database: {BACKEND}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    if BACKEND == "postgres":
        name = f"reportit_test_{secrets.token_hex(4)}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        yield f"{base}/{name}"
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'reportit.sqlite'}"


@pytest.fixture(scope="session")
def server_env(tmp_path_factory, database_url) -> dict[str, str]:
    """The environment a Report It process under test runs with."""
    data_dir = tmp_path_factory.mktemp("data")
    return {
        "REPORTIT_DATA_DIR": str(data_dir),
        "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
        "DATABASE_URL": database_url,
        "REPORTIT_BASE_URL": "http://testserver",
        "REPORTIT_LOG_LEVEL": "WARNING",
        # The suite registers many devices from one address; tests/api/test_limits.py tests the limits.
        "REPORTIT_DEVICE_REGISTRATIONS_PER_HOUR": "1000000",
        "REPORTIT_REPORTS_PER_HOUR": "1000000",
        "REPORTIT_SIGN_IN_CODES_PER_HOUR": "1000000",
    }


@pytest.fixture(scope="session")
def settings(server_env):
    from reportit.settings import load_settings

    return load_settings(server_env)


@pytest.fixture(scope="session")
async def app(settings):
    from reportit import database
    from reportit.app import create_app

    application = create_app(settings)
    await database.migrate()
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def device(client) -> dict:
    """A registered resident device: {device_id, token, headers}."""
    response = await client.post("/api/devices")
    assert response.status_code == 201
    body = response.json()
    # The shared client stands for the public too: the device speaks by its bearer token, and its
    # cookie (for pages the browser opens by itself) is kept aside, not sent with every request.
    client.cookies.delete("reportit_device")
    return {**body, "headers": {"Authorization": f"Bearer {body['token']}"},
            "cookie": response.cookies["reportit_device"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(server_env: dict[str, str], workers: int = 1, prefix: Sequence[str] = (),
                   **extra_env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`reportit serve [--workers N]` in a subprocess on a free loopback port: (its URL, its process).
    `prefix`: a command the server is started through (it must exec the rest, so the process is the server's)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **server_env, "REPORTIT_BASE_URL": url, **extra_env}
    migrated = subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    if migrated.returncode:
        raise RuntimeError(f"reportit migrate failed: {migrated.stderr[-3000:]}")
    # The server's words go to a file, not a pipe nobody reads (a full pipe would stall it), and
    # are shown when the test fails: a worker that died says why there.
    log = tempfile.NamedTemporaryFile(prefix="reportit-serve-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [*prefix, sys.executable, "-m", "reportit.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {_tail(log.name)}")
            try:
                if httpx.get(f"{url}/api/categories", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start within 30 s")
        yield url, process
    except BaseException:
        sys.stderr.write(f"reportit serve said:\n{_tail(log.name)}\n")
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        process.output = Path(log.name).read_text(errors="replace")  # all it said, for tests that read it
        os.unlink(log.name)


def _tail(path: str, characters: int = 6000) -> str:
    with open(path, "rb") as f:
        f.seek(max(0, os.path.getsize(path) - characters))
        return f.read().decode(errors="replace")


def separate_env(server_env: dict[str, str], data_dir: Path) -> dict[str, str]:
    """server_env with its own data dir and, on SQLite, its own database file: a live server that
    shares no lock with the in-process app. (That app's sender takes SQLite's write lock for a few
    milliseconds now and then; a test blocking the event loop at that moment would leave the lock
    held, and the live server's writes would wait.)"""
    env = {**server_env, "REPORTIT_DATA_DIR": str(data_dir)}
    if BACKEND != "postgres":
        env["DATABASE_URL"] = f"sqlite:///{data_dir / 'reportit.sqlite'}"
    return env


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


@pytest.fixture(scope="session")
def live_server(server_env) -> Iterator[str]:
    """`reportit serve` in a subprocess on a free loopback port, sharing the test database.

    Synchronous on purpose: browser tests use Playwright's sync API, which runs its own event loop
    in this thread, so they must not depend on async fixtures.
    """
    with running_server(server_env) as (url, _process):
        yield url


def pytest_collection_modifyitems(config, items) -> None:
    """Everything under tests/e2e drives a real browser: mark it so PostgreSQL runs can skip it."""
    for item in items:
        if "/tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
