"""A feed URL in the council's TOML is polled by the server: applications published at that URL
appear in the API with no command run, and a feed that fails to answer does not stop the server."""

from __future__ import annotations

import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.applications.conftest import csv_text, geojson, planning_row, unique
from tests.conftest import ROOT, running_server, separate_env


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_the_server_polls_the_feeds_in_the_toml(server_env, tmp_path):
    published = tmp_path / "published"
    published.mkdir()
    planning, licensing = unique("FEED"), unique("FEEDL")
    (published / "planning.csv").write_text(csv_text([planning_row(planning)]))
    (published / "licensing.geojson").write_text(geojson([{"type": "Feature", "geometry": {
        "type": "Point", "coordinates": [-0.13, 51.5]}, "properties": {
        "reference": licensing, "application-type": "new-premises", "status": "received", "address": "The Feathers"}}]))
    feed_server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(published)))
    threading.Thread(target=feed_server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{feed_server.server_address[1]}"
    config = tmp_path / "council.toml"
    config.write_text((ROOT / "reportit.example.toml").read_text() + f"""
[[applications.feeds]]
url = "{base}/planning.csv"
regime = "planning"
every_minutes = 60

[[applications.feeds]]
url = "{base}/licensing.geojson"
regime = "licensing"

[[applications.feeds]]
url = "{base}/missing.csv"
""")
    data = tmp_path / "data"
    data.mkdir()
    env = {**separate_env(server_env, data), "REPORTIT_CONFIG": str(config)}
    try:
        with running_server(env) as (url, _process):
            deadline = time.monotonic() + 30
            found = {}
            while time.monotonic() < deadline and len(found) < 2:
                for reference in (planning, licensing):
                    response = httpx.get(f"{url}/api/applications/{reference}")
                    if response.status_code == 200:
                        found[reference] = response.json()
                time.sleep(0.3)
            assert set(found) == {planning, licensing}, "the feeds were not imported within 30 s"
            assert found[licensing]["regime"] == "licensing"
            assert found[planning]["history"][0]["source"] == "feed"
            assert httpx.get(f"{url}/healthz").status_code == 200  # the missing feed stopped nothing
    finally:
        feed_server.shutdown()


def test_a_feed_in_the_toml_is_checked_at_start(server_env, tmp_path):
    import subprocess
    import sys

    config = tmp_path / "council.toml"
    config.write_text((ROOT / "reportit.example.toml").read_text() + '\n[[applications.feeds]]\nurl = "ftp://x"\n')
    done = subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env={**server_env, "REPORTIT_CONFIG": str(config),
                          "PATH": "/usr/bin:/bin"}, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "applications.feeds[0].url: must start with http:// or https://" in done.stderr
