"""A feed URL in the council's TOML is polled by the server: applications published at that URL
appear in the API with no command run, and a feed that fails to answer does not stop the server."""

from __future__ import annotations

import asyncio
import logging
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


class _Held(_Quiet):
    """A feed that counts its downloads and answers none until the test lets it go."""

    asked: list[str]
    arrived: threading.Event
    release: threading.Event

    def do_GET(self) -> None:
        type(self).asked.append(self.path)
        type(self).arrived.set()
        type(self).release.wait(60)
        super().do_GET()


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


async def test_two_polls_of_a_feed_at_once_download_and_import_it_once(app, client, settings, tmp_path, caplog):
    """As `reportit serve --workers 2` polls: each worker's poller starts at the same moment."""
    from reportit.applications.feed import poll_once
    from reportit.applications.rules import Feed

    reference = unique("ONCE")
    (tmp_path / "planning.csv").write_text(csv_text([planning_row(reference)]))
    held = type("Held", (_Held,), {"asked": [], "arrived": threading.Event(), "release": threading.Event()})
    feed_server = ThreadingHTTPServer(("127.0.0.1", 0), partial(held, directory=str(tmp_path)))
    threading.Thread(target=feed_server.serve_forever, daemon=True).start()
    feed = Feed(url=f"http://127.0.0.1:{feed_server.server_address[1]}/planning.csv", regime="planning")
    caplog.set_level(logging.DEBUG, logger="reportit.applications.feed")
    try:
        first = asyncio.create_task(poll_once(feed, settings))
        assert await asyncio.to_thread(held.arrived.wait, 60), "the first poll never asked for the feed"
        second = asyncio.create_task(poll_once(feed, settings))
        while not second.done() and len(held.asked) < 2:  # skipped, or (before the claim) downloading too
            await asyncio.sleep(0.02)
        held.release.set()
        results = await asyncio.wait_for(asyncio.gather(first, second), 120)
    finally:
        held.release.set()
        feed_server.shutdown()
    assert held.asked == ["/planning.csv"]
    assert results[0].new == 1 and results[1] is None
    assert "event=feed_poll_skipped" in caplog.text and "feed_poll_crashed" not in caplog.text
    found = await client.get(f"/api/applications/{reference}")
    assert found.status_code == 200 and len(found.json()["history"]) == 1
