"""Places: the nearest street to a point among 10,000 streets on each database (the spatial index
against a scan of every street, in the same run), the street list for 5,000 streets on the wire,
and the nearest street worked out in Chromium from the list the phone keeps.

Goals (issue 13): server p95 <= 5 ms and >= 20x a scan; the list <= 150 KB compressed; Chromium
p95 <= 20 ms. Synthetic streets (2-6 points, 30-120 m apart) scattered over the council's map box.
Run: `python bench/bench_places.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "server"))
from tests.e2e.conftest import ARGS, CHROMIUM, start_server, stop_server  # noqa: E402
from bench.throwaway_pg import throwaway_database  # noqa: E402

BOUNDS = (51.4840, -0.2160, 51.5400, -0.1100)
STREETS = 10_000
LISTED = 5_000
POINTS = 400
SCAN_POINTS = 20
GOAL_MS, GOAL_RATIO, GOAL_KB, GOAL_BROWSER_MS = 5.0, 20.0, 150, 20.0
FIRST = ["Abbey", "Albany", "Beech", "Bridge", "Castle", "Cedar", "Chapel", "Church", "Clarence", "College",
         "Crown", "Denmark", "Elm", "Garden", "George", "Gloucester", "Grove", "Harley", "Holland", "King",
         "Lancaster", "Manor", "Market", "Mill", "Nelson", "Oak", "Orchard", "Park", "Queen", "Regent",
         "Russell", "Spring", "Station", "Stanhope", "Tavistock", "Union", "Victoria", "Warwick", "Well", "York"]
SECOND = ["", "Hill ", "Green ", "Park ", "Court ", "Vale ", "Field ", "Bridge "]
KIND = ["Street", "Road", "Lane", "Place", "Mews", "Gardens", "Terrace", "Row", "Square", "Walk", "Close", "Way"]
LOCALITIES = ["Marylebone", "Mayfair", "Soho", "Pimlico", "Paddington", "Bayswater", "Belgravia", "Fitzrovia"]


def streets_geojson(count: int, seed: int) -> dict:
    rng = random.Random(seed)
    south, west, north, east = BOUNDS
    features = []
    for i in range(count):
        lat, lng = rng.uniform(south, north), rng.uniform(west, east)
        heading = rng.uniform(0, 2 * math.pi)
        line = [[round(lng, 6), round(lat, 6)]]
        for _ in range(rng.randint(1, 5)):
            step = rng.uniform(30, 120)
            heading += rng.uniform(-0.4, 0.4)
            lat += step * math.sin(heading) / 111320
            lng += step * math.cos(heading) / (111320 * math.cos(math.radians(lat)))
            line.append([round(lng, 6), round(lat, 6)])
        name = f"{rng.choice(FIRST)} {rng.choice(SECOND)}{rng.choice(KIND)}"
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": line}, "properties": {
            "usrn": str(9_000_000 + i), "street_descriptor": name, "locality": rng.choice(LOCALITIES), "town": "London",
            "maintaining_authority": "Transport for London" if rng.random() < 0.05 else "Westminster City Council"}})
    return {"type": "FeatureCollection", "features": features}


def points(count: int, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    south, west, north, east = BOUNDS
    return [(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(count)]


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "reportit.cli", *args], env={**os.environ, **env}, cwd=ROOT, check=True,
                   capture_output=True, timeout=600)


async def _measure_nearest(env: dict[str, str]) -> dict:
    from reportit import database
    from reportit.places.gazetteer import nearest_street
    from reportit.places.geometry import distance_m
    from reportit.places.tables import Street
    from reportit.settings import load_settings

    settings = load_settings(env)
    engine = database.engine_for(settings)
    database.use(engine)
    await database.start_pool(engine)
    try:
        async def scan(lat: float, lng: float):  # no index: every street read and measured
            rows = await Street.select(Street.name, Street.lines)
            return min(rows, key=lambda r: distance_m(lat, lng, r["lines"] if isinstance(r["lines"], list) else json.loads(r["lines"])))

        for lat, lng in points(20, 7):  # warm up
            await nearest_street(lat, lng)
        indexed, scanned, agree = [], [], 0
        for lat, lng in points(POINTS, 1):
            start = time.perf_counter()
            await nearest_street(lat, lng)
            indexed.append((time.perf_counter() - start) * 1000)
        for lat, lng in points(SCAN_POINTS, 2):
            start = time.perf_counter()
            best = await scan(lat, lng)
            scanned.append((time.perf_counter() - start) * 1000)
            found = await nearest_street(lat, lng)
            agree += found is not None and found.name == best["name"]
        return {"index_p95_ms": _p95(indexed), "scan_p95_ms": _p95(scanned), "agree": f"{agree}/{SCAN_POINTS}"}
    finally:
        await database.close_pool(engine)


def nearest_on(backend: str, tmp: Path, streets_file: Path) -> dict:
    env = {"REPORTIT_DATA_DIR": str(tmp / backend), "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
           "REPORTIT_LOG_LEVEL": "WARNING"}
    with contextlib.ExitStack() as stack:
        env["DATABASE_URL"] = (stack.enter_context(throwaway_database("reportit_bench_places"))
                               if backend == "postgresql" else f"sqlite:///{tmp / backend}.sqlite")
        cli(env, "migrate")
        start = time.perf_counter()
        cli(env, "streets", "import", str(streets_file))
        imported = time.perf_counter() - start
        figures = asyncio.run(_measure_nearest(env))
        ratio = figures["scan_p95_ms"] / figures["index_p95_ms"]
        return {"measure": f"nearest street of {STREETS:,} ({backend})", "value": f"{figures['index_p95_ms']:.2f} ms p95",
                "baseline": f"scan {figures['scan_p95_ms']:.0f} ms p95", "ratio": f"{ratio:.0f}x",
                "goal": f"<= {GOAL_MS} ms, >= {GOAL_RATIO:.0f}x",
                "met": figures["index_p95_ms"] <= GOAL_MS and ratio >= GOAL_RATIO,
                "note": f"same street as the scan {figures['agree']}; import {imported:.1f} s"}


BROWSER_NEAREST = """async ([points]) => {
  const places = await import('/app/lib/places.js');
  const started = performance.now();
  const list = await places.streetList();
  const loaded = performance.now() - started;
  for (const [lat, lng] of points.slice(0, 20)) places.nearest(list, lat, lng);  // warm up
  const times = [];
  for (const [lat, lng] of points) {
    const t = performance.now();
    places.nearest(list, lat, lng);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p95: times[Math.floor(times.length * 0.95)], loaded, streets: list.streets.length };
}"""


def on_the_phone(tmp: Path, streets_file: Path, listed_file: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    for count, path in ((LISTED, listed_file), (STREETS, streets_file)):
        env = {"REPORTIT_DATA_DIR": str(tmp / f"phone{count}"), "REPORTIT_CONFIG": str(ROOT / "reportit.example.toml"),
               "DATABASE_URL": f"sqlite:///{tmp}/phone{count}.sqlite", "REPORTIT_LOG_LEVEL": "WARNING"}
        cli(env, "migrate")
        cli(env, "streets", "import", str(path))
        url, process = start_server(env)
        try:
            wire = httpx.get(f"{url}/api/streets", headers={"Accept-Encoding": "gzip"}, timeout=60)
            kb = wire.num_bytes_downloaded / 1000
            raw_kb = len(wire.content) / 1000
            if count == LISTED:
                rows.append({"measure": f"street list of {count:,} on the wire", "value": f"{kb:.0f} KB gzip",
                             "baseline": f"{raw_kb:.0f} KB JSON", "ratio": f"{raw_kb / kb:.1f}x smaller",
                             "goal": f"<= {GOAL_KB} KB", "met": kb <= GOAL_KB, "note": "names, localities, simplified lines, wards"})
                continue
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page()
                page.goto(url + "/")
                result = page.evaluate(BROWSER_NEAREST, [points(POINTS, 3)])
                browser.close()
            rows.append({"measure": f"nearest street of {result['streets']:,} in Chromium", "value": f"{result['p95']:.2f} ms p95",
                         "baseline": f"list fetched and decoded in {result['loaded']:.0f} ms", "ratio": "",
                         "goal": f"<= {GOAL_BROWSER_MS} ms", "met": result["p95"] <= GOAL_BROWSER_MS,
                         "note": f"{kb:.0f} KB gzip for {count:,} streets"})
        finally:
            stop_server(process)
    return rows


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        streets_file, listed_file = tmp / "streets.geojson", tmp / "listed.geojson"
        streets_file.write_text(json.dumps(streets_geojson(STREETS, 2026)))
        listed_file.write_text(json.dumps(streets_geojson(LISTED, 2027)))
        rows = [nearest_on("sqlite", tmp, streets_file), nearest_on("postgresql", tmp, streets_file)]
        rows += on_the_phone(tmp, streets_file, listed_file)
        return rows


if __name__ == "__main__":
    from bench.__main__ import show

    show("Places", run())
