"""The wheel carries everything a council needs: `pip install .` works, not only `pip install -e .`."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _folders(root: Path, package: str) -> set[str]:
    return {package, *(".".join((package, *path.relative_to(root).parts)) for path in root.rglob("*")
                       if path.is_dir() and "__pycache__" not in path.parts and "node_modules" not in path.parts)}


def test_every_folder_that_ships_is_listed_in_pyproject():
    """A package, or a folder of templates or scripts: setuptools warns about any it is not told of."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = (_folders(ROOT / "server" / "reportit", "reportit") | _folders(ROOT / "pwa", "reportit.pwa")
             | _folders(ROOT / "service_worker", "reportit.service_worker"))
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_the_wheel_ships_the_app_the_service_worker_templates_and_migrations(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    # A newcomer's `make install` prints nothing alarming.
    assert "would be ignored" not in built.stdout + built.stderr
    wheel = next(tmp_path.glob("reportit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected_sources = [
        *(ROOT / "pwa").rglob("*"),
        *(ROOT / "service_worker").rglob("*"),
        *(ROOT / "server" / "reportit").rglob("*.html"),
        *(ROOT / "server" / "reportit").rglob("migrations/*.py"),
        *(ROOT / "server" / "reportit" / "static").rglob("*"),
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
