"""The resident app's seams, read from its source: nothing imports the boot module, no module
exports state others could reassign, the app ships no test-only switch, and the worker imports
only modules the server serves."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "pwa"
WORKER = ROOT / "service_worker"


def _sources(directory: Path) -> dict[str, str]:
    return {
        path.relative_to(ROOT).as_posix(): path.read_text()
        for path in directory.rglob("*.js")
        if "vendor" not in path.parts
    }


def test_no_module_imports_the_app_boot_module():
    offenders = [name for name, text in {**_sources(APP), **_sources(WORKER)}.items()
                 if re.search(r"""from\s+['"][./]*app\.js['"]|import\(\s*['"][./]*app\.js['"]""", text)]
    assert not offenders, f"import what you need from pwa/lib/ instead of app.js: {offenders}"


def test_no_module_exports_a_variable_others_could_reassign():
    offenders = [name for name, text in _sources(APP).items() if re.search(r"^export\s+(let|var)\s", text, re.M)]
    assert not offenders, offenders


def test_the_app_ships_no_test_switch():
    offenders = [name for name, text in {**_sources(APP), **_sources(WORKER)}.items() if "page-flush" in text]
    assert not offenders, offenders


def test_views_take_the_journeys_steps_from_lib():
    for name, text in _sources(APP / "views").items():
        assert not re.search(r"^export function (steps|next|previous)\b", text, re.M), name


def test_the_worker_imports_its_modules_from_the_sw_path_or_beside_itself():
    for name, text in _sources(WORKER).items():
        for target in re.findall(r"""^import .*?['"]([^'"]+)['"];$""", text, re.M):
            if target.startswith("/sw/"):
                assert (WORKER / target.removeprefix("/sw/")).is_file(), (name, target)
            elif target.startswith("./"):
                assert (WORKER / target[2:]).is_file(), (name, target)
            else:
                assert target.startswith(("/app/", "/precache-manifest.js")), (name, target)
