"""The wheel carries everything a council needs: `pip install .` works, not only `pip install -e .`."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_python_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT / "server").parts)
        for path in (ROOT / "server").rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_the_wheel_ships_the_app_the_service_worker_templates_and_migrations(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(tmp_path.glob("reportit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected_sources = [
        *(ROOT / "pwa").rglob("*"),
        *(ROOT / "service_worker").rglob("*"),
        *(ROOT / "server" / "reportit").rglob("*.html"),
        *(ROOT / "server" / "reportit").rglob("migrations/*.py"),
        *(ROOT / "server" / "reportit" / "static").rglob("*"),
        *(ROOT / "server" / "reportit" / "console" / "static").rglob("*"),
    ]
    missing = []
    for source in expected_sources:
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(ROOT)
        if relative.parts[0] in ("pwa", "service_worker"):
            name = "reportit/" + relative.as_posix()
        else:
            name = relative.relative_to("server").as_posix()
        if name not in names:
            missing.append(name)
    assert not missing, missing
    assert "reportit/reportit.example.toml" in names
    # The vendored chart library travels with its licence.
    assert {"reportit/console/static/uplot.esm.js", "reportit/console/static/uplot.LICENSE.txt"} <= names
