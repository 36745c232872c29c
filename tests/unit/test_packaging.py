"""The wheel carries everything a council needs: `pip install .` works, not only `pip install -e .`."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
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


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[;\s]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _extras(requirement: str) -> set[str]:
    found = re.search(r"\[([^\]]*)\]", requirement.split(";")[0])
    return {e.strip() for e in found.group(1).split(",")} if found else set()


def test_every_library_the_server_imports_is_a_runtime_dependency():
    """`pip install .` (no test extra) must give the server everything it imports; a library that an
    extra of a declared dependency brings (asyncpg via piccolo[postgres]) counts as declared."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {_name(d) for d in dependencies}
    for requirement in dependencies:
        for extra in _extras(requirement):
            declared |= {_name(r) for r in metadata.requires(_name(requirement)) or []
                         if re.search(rf"extra\s*==\s*['\"]{re.escape(extra)}['\"]", r)}
    imported: set[str] = set()
    for path in (ROOT / "server" / "reportit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"reportit", "__future__"}
    distributions = metadata.packages_distributions()
    undeclared = {module: distributions.get(module) for module in third_party
                  if not any(_name(d) in declared for d in distributions.get(module, [module]))}
    assert undeclared == {}, "add to [project] dependencies in pyproject.toml"
