"""Offline map: a view seen before redraws from the phone with 0 network requests, and how much
faster a redraw from the phone's copy is than drawing from the server (median of 5 each).

Runs a real `reportit serve` with a basemap built by `reportit basemap build` (a street grid over
the borough) behind the tests' proxy, which counts what reaches the server and can add a round trip to
each tile request; drives Debian's Chromium with Playwright. Run: `python bench/bench_offline_map.py`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.e2e.conftest import ARGS, CHROMIUM, WESTMINSTER, FaultProxy, start_server, stop_server  # noqa: E402
from tests.e2e.test_offline_map import Requests, drawn_pixels, map_requests, settle, to_location_step  # noqa: E402

RUNS = 5
ROUND_TRIP_S = 0.1  # a phone on 4G
WARDS = ROOT / "server" / "reportit" / "basemap" / "demo" / "wards.geojson"
FORGET_RANGES = "async () => caches.delete('reportit-basemap')"
# When the map's element appears and when its first view is drawn, by the page's own clock.
TIMING = """new MutationObserver(() => {
  const map = document.getElementById('map');
  if (map && !window.__mapShown) window.__mapShown = performance.now();
  if (map && map.dataset.mapState === 'drawn' && !window.__mapDrawn) window.__mapDrawn = performance.now();
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-map-state'] });"""


def _street_grid(path: Path) -> None:
    """A borough-sized grid of named streets every 100 m or so, so tiles are real-sized and each
    view needs several ranges of the file (the demo file is so small its first range holds it all)."""
    south, west, north, east = 51.484, -0.216, 51.540, -0.110
    features = []
    for i in range(int((north - south) / 0.0009)):
        lat = south + i * 0.0009
        line = [[west, lat], [(west + east) / 2, lat + 0.0004], [east, lat]]
        features.append({"type": "Feature", "properties": {"name": f"{i} East Street"},
                         "geometry": {"type": "LineString", "coordinates": line}})
    for i in range(int((east - west) / 0.0014)):
        lng = west + i * 0.0014
        line = [[lng, south], [lng + 0.0005, (south + north) / 2], [lng, north]]
        features.append({"type": "Feature", "properties": {"name": f"{i} North Road"},
                         "geometry": {"type": "LineString", "coordinates": line}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def _draw(context, proxy) -> tuple[float, int, int]:
    """Open the location step (the report being written is kept there): seconds from the map's
    element appearing to its view drawn, map requests that reached the server, and the page's
    requests the phone did not answer itself."""
    proxy.log.clear()
    page = context.new_page()
    requests = Requests(page)
    page.goto("/report")
    page.get_by_role("button", name="Continue the report").click()
    page.locator("#map[data-map-state=drawn]").wait_for(timeout=60000)
    elapsed = page.evaluate("() => (window.__mapDrawn - window.__mapShown) / 1000")
    assert drawn_pixels(page) > 2000, "the map is empty"
    page.close()
    return elapsed, len(map_requests(proxy)), len(requests.from_network()) + len(requests.failed)


def _median(context, proxy, forget: bool) -> float:
    times = []
    for _ in range(RUNS):
        if forget:  # the service worker's copy and the browser's HTTP cache (the file may be kept a year)
            page = context.new_page()
            page.goto("/account")
            page.evaluate(FORGET_RANGES)
            context.new_cdp_session(page).send("Network.clearBrowserCache")
            page.close()
        elapsed, reached, _ = _draw(context, proxy)
        assert reached or not forget, "the tiles did not come from the server"
        times.append(elapsed)
    return statistics.median(times)


def run() -> list[dict]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        basemap = Path(tmp) / "borough.pmtiles"
        streets = Path(tmp) / "streets.geojson"
        _street_grid(streets)
        subprocess.run([sys.executable, "-m", "reportit.cli", "basemap", "build", "--streets", str(streets),
                        "--areas", str(WARDS), "--out", str(basemap)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        env = {
            "REPORTIT_DATA_DIR": tmp, "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite", "REPORTIT_LOG_LEVEL": "WARNING",
            "REPORTIT_BASEMAP": str(basemap),
        }
        subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env={**os.environ, **env}, check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL)
        basemap_kb = round(basemap.stat().st_size / 1024)
        url, process = start_server(env)
        proxy = FaultProxy(url)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                context = browser.new_context(base_url=proxy.url, permissions=["geolocation"], geolocation=WESTMINSTER)
                context.add_init_script(TIMING)
                page = context.new_page()
                page.goto("/")
                page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)", timeout=30000)
                to_location_step(page)  # the libraries and the first view, kept from here on
                page.locator("#map[data-map-state=drawn]").wait_for(timeout=60000)
                page.close()

                loopback = _median(context, proxy, forget=True)
                proxy.hold("GET", basemap_path(url), ROUND_TRIP_S, count=10_000)
                slow = _median(context, proxy, forget=True)
                proxy.reset()
                _draw(context, proxy)  # the view, kept again
                cached = _median(context, proxy, forget=False)
                online_requests = _draw(context, proxy)[1]

                settle(proxy)
                context.set_offline(True)
                offline_time, offline_requests, not_from_phone = _draw(context, proxy)
                browser.close()
        finally:
            proxy.close()
            stop_server(process)
    return [
        {"measure": "basemap file (a grid of named streets over the borough)", "value": basemap_kb, "unit": "KB",
         "baseline": "", "ratio": ""},
        {"measure": "map requests reaching the server, seen view redrawn with no signal (goal: 0)",
         "value": offline_requests, "unit": "requests", "baseline": "", "ratio": ""},
        {"measure": "page requests not answered by the phone, same redraw", "value": not_from_phone,
         "unit": "requests", "baseline": "", "ratio": ""},
        {"measure": "map requests reaching the server, seen view redrawn with a signal", "value": online_requests,
         "unit": "requests", "baseline": "", "ratio": ""},
        {"measure": "redraw from the phone vs tiles from the server (loopback)", "value": cached * 1000,
         "unit": "ms", "baseline": loopback * 1000, "ratio": loopback / cached},
        {"measure": f"redraw from the phone vs tiles from the server ({ROUND_TRIP_S * 1000:.0f} ms round trip)",
         "value": cached * 1000, "unit": "ms", "baseline": slow * 1000, "ratio": slow / cached},
        {"measure": "redraw with no signal", "value": offline_time * 1000, "unit": "ms", "baseline": "", "ratio": ""},
    ]


def basemap_path(server: str) -> str:
    import html
    import json
    import re

    import httpx

    page = httpx.get(f"{server}/", timeout=10).text
    settings = json.loads(html.unescape(re.search(r'<meta name="reportit-map" content="([^"]*)"', page).group(1)))
    return settings["basemap"]["url"]


if __name__ == "__main__":
    from bench.__main__ import show

    show(__doc__.strip().splitlines()[0], run())
