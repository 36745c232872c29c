"""Applications fixtures: files to import, the import command run as an officer runs it, and the
console's signed-in staff (shared with tests/console)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Awaitable, Callable

import pytest

from tests.conftest import ROOT
from tests.console.conftest import admin, officer, staff, warden  # noqa: F401  (fixtures)

PLANNING_COLUMNS = ["reference", "address-text", "point", "description", "planning-application-type",
                    "planning-application-status", "planning-decision", "decision-date", "documentation-url",
                    "start-date", "end-date"]
LICENSING_COLUMNS = ["reference", "application-type", "address", "uprn", "latitude", "longitude", "description",
                     "status", "start-date", "end-date", "hearing-date", "decision", "decision-date", "documentation-url"]
INSIDE = "POINT (-0.1357 51.4975)"  # Westminster, inside the example council's area


def unique(prefix: str = "T") -> str:
    return f"{prefix}{secrets.token_hex(3).upper()}"


def planning_row(reference: str, **values: str) -> dict[str, str]:
    row = {"reference": reference, "address-text": "1 Victoria Street, London SW1", "point": INSIDE,
           "description": "Change of use to a café", "planning-application-type": "full",
           "planning-application-status": "under consultation", "start-date": "2026-11-20", "end-date": "2026-12-11",
           "documentation-url": "https://planning.example/" + reference}
    return {**row, **values}


def csv_text(rows: list[dict[str, str]], columns: list[str] = PLANNING_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def write_file(tmp_path) -> Callable[..., Path]:
    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path
    return write


@pytest.fixture
def import_cli(server_env, app) -> Callable[..., Awaitable[subprocess.CompletedProcess]]:
    """`await import_cli(FILE, …)`: `reportit applications import FILE …` in a subprocess, against the
    tests' database. Waited for off the event loop: the app's sender runs on this loop and may hold
    SQLite's write lock, which the command then waits for."""

    async def run(path: Path, *options: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "reportit.cli", "applications", "import", str(path), *options],
            env={**os.environ, **(env or server_env)}, cwd=ROOT, capture_output=True, text=True, timeout=600)
    return run


def geojson(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})
