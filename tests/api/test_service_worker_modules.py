"""The service worker is registered at /sw.js and imports its other modules from /sw/: each is
served as JavaScript, and each one's bytes count in the app's version (a changed module must make
browsers install a new worker)."""

from __future__ import annotations

import re
from pathlib import Path

from reportit import shell

ROOT = Path(__file__).resolve().parents[2]
WORKER_DIR = ROOT / "service_worker"


async def test_every_module_sw_js_imports_is_served_as_javascript(client):
    entry = (await client.get("/sw.js")).text
    imported = re.findall(r"^import '(/sw/[a-z-]+\.js)';$", entry, flags=re.M)
    assert len(imported) == len(list(WORKER_DIR.glob("*.js"))) - 2  # all but sw.js and the shared scope.js
    for url in [*imported, "/sw/scope.js"]:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/javascript")
        assert response.text == (WORKER_DIR / url.removeprefix("/sw/")).read_text()


async def test_anything_but_a_worker_module_under_sw_is_not_found(client):
    assert (await client.get("/sw/sw.js")).status_code == 404
    assert (await client.get("/sw/../pyproject.toml")).status_code == 404
    assert (await client.get("/sw/nothing.js")).status_code == 404


def test_a_changed_worker_module_changes_the_version(settings, monkeypatch, tmp_path):
    before = shell.build(settings.catalogue).version
    copy = tmp_path / "service_worker"
    copy.mkdir()
    for path in WORKER_DIR.glob("*.js"):
        (copy / path.name).write_bytes(path.read_bytes())
    (copy / "push.js").write_text((WORKER_DIR / "push.js").read_text() + "\n// changed\n")
    real_asset_dir = shell.asset_dir
    monkeypatch.setattr(shell, "asset_dir", lambda name: copy if name == "service_worker" else real_asset_dir(name))
    after = shell.build(settings.catalogue)
    assert after.version != before
    assert after.sw.startswith(f"// version {after.version}\n".encode())
