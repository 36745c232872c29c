"""A basemap built the way `make run` builds one (`reportit basemap build` from the illustrative
demo GeoJSON), and a live server serving it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import ROOT, running_server, separate_env

DEMO = ROOT / "server" / "reportit" / "places" / "demo"  # the demo streets and wards `reportit demo` loads


def build_basemap(out: Path, *extra: str, streets: Path = DEMO / "streets.geojson",
                  areas: Path = DEMO / "wards.geojson") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportit.cli", "basemap", "build", "--streets", str(streets), "--areas", str(areas),
         "--out", str(out), *extra], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def basemap_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("basemap") / "borough.pmtiles"
    built = build_basemap(out)
    assert built.returncode == 0, built.stderr
    return out


@pytest.fixture(scope="session")
def basemap_env(server_env, basemap_file, tmp_path_factory) -> dict[str, str]:
    """The environment of a server with REPORTIT_BASEMAP set (its own data dir: see separate_env)."""
    return {**separate_env(server_env, tmp_path_factory.mktemp("basemap-data")), "REPORTIT_BASEMAP": str(basemap_file)}


@pytest.fixture(scope="session")
def basemap_server(basemap_env) -> Iterator[str]:
    with running_server(basemap_env) as (url, _process):
        yield url
