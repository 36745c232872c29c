"""The basemap over HTTP, as a browser's map library and the app's service worker ask for it."""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
import sys

import httpx
import pytest

from tests.basemap.fixtures import build_basemap
from tests.conftest import ROOT, running_server, separate_env

# These start `reportit serve` on the tests' database, and a served app runs its own notification
# sender. On PostgreSQL (where LISTEN/NOTIFY wakes it at once) that sender, with no test CA, won
# the push tests' outbox rows and failed them: so they run with the other live-server journeys,
# once, on SQLite (the basemap's serving does not touch the database).
pytestmark = pytest.mark.browser

def map_settings(server: str) -> dict:
    page = httpx.get(f"{server}/", timeout=10).text
    content = re.search(r'<meta name="reportit-map" content="([^"]*)"', page).group(1)
    return json.loads(html.unescape(content))


def test_the_app_is_told_where_the_basemap_is_and_which_version(basemap_server, basemap_file):
    basemap = map_settings(basemap_server)["basemap"]
    version = hashlib.sha256(basemap_file.read_bytes()).hexdigest()[:16]
    assert basemap["url"] == f"/basemap/{version}.pmtiles"
    assert basemap["bytes"] == basemap_file.stat().st_size
    assert basemap["illustrative"] is True and "Illustrative" in basemap["attribution"]
    assert basemap["max_zoom"] == 16 and basemap["min_zoom"] == 11


def test_a_range_is_answered_with_206_and_exactly_those_bytes(basemap_server, basemap_file):
    url = basemap_server + map_settings(basemap_server)["basemap"]["url"]
    data = basemap_file.read_bytes()
    response = httpx.get(url, headers={"Range": "bytes=0-126"}, timeout=10)
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 0-126/{len(data)}"
    assert response.content == data[:127] and response.content.startswith(b"PMTiles\x03")
    assert "content-encoding" not in response.headers
    middle = httpx.get(url, headers={"Range": "bytes=200-1199"}, timeout=10)
    assert middle.status_code == 206 and middle.content == data[200:1200]
    tail = httpx.get(url, headers={"Range": f"bytes={len(data) - 10}-{len(data) + 500}"}, timeout=10)
    assert tail.status_code == 206 and tail.content == data[-10:]
    assert tail.headers["content-range"] == f"bytes {len(data) - 10}-{len(data) - 1}/{len(data)}"


def test_the_file_is_cached_for_a_year_under_its_version(basemap_server, basemap_file):
    basemap = map_settings(basemap_server)["basemap"]
    url = basemap_server + basemap["url"]
    whole = httpx.get(url, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert whole.status_code == 200 and whole.content == basemap_file.read_bytes()
    assert "content-encoding" not in whole.headers  # sent as it is: its tiles are compressed already
    assert whole.headers["accept-ranges"] == "bytes"
    version = basemap["url"].rsplit("/", 1)[1].removesuffix(".pmtiles")
    assert whole.headers["etag"] == f'"{version}"'
    assert whole.headers["last-modified"]
    assert "immutable" in whole.headers["cache-control"] and "max-age=31536000" in whole.headers["cache-control"]
    again = httpx.get(url, headers={"If-None-Match": whole.headers["etag"]}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    head = httpx.head(url, timeout=10)
    assert head.status_code == 200 and int(head.headers["content-length"]) == basemap_file.stat().st_size


def test_a_range_past_the_end_is_416_saying_how_long_the_file_is(basemap_server, basemap_file):
    url = basemap_server + map_settings(basemap_server)["basemap"]["url"]
    size = basemap_file.stat().st_size
    response = httpx.get(url, headers={"Range": f"bytes={size}-{size + 100}"}, timeout=10)
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"
    assert response.headers["content-type"] == "application/problem+json"
    assert str(size) in response.json()["detail"]


def test_another_version_of_the_file_is_not_served(basemap_server):
    response = httpx.get(f"{basemap_server}/basemap/0123456789abcdef.pmtiles", headers={"Range": "bytes=0-99"}, timeout=10)
    assert response.status_code == 404
    assert "reload" in response.json()["detail"]


def test_the_map_libraries_are_served_from_the_vendored_copies(basemap_server):
    leaflet = httpx.get(f"{basemap_server}/vendor/leaflet/leaflet-src.esm.js", timeout=10)
    assert leaflet.status_code == 200 and leaflet.headers["content-type"].startswith("text/javascript")
    protomaps = httpx.get(f"{basemap_server}/vendor/protomaps-leaflet/protomaps-leaflet.esm.js", timeout=10)
    assert protomaps.status_code == 200 and "export default protomapsL" in protomaps.text
    assert httpx.get(f"{basemap_server}/vendor/protomaps-leaflet/LICENSE.txt", timeout=10).status_code == 404
    assert httpx.get(f"{basemap_server}/vendor/leaflet/..%2F..%2Fbasemap%2Ffile.py", timeout=10).status_code == 404


def test_without_a_basemap_the_app_is_told_there_is_none(live_server):
    assert map_settings(live_server)["basemap"] is None
    assert httpx.get(f"{live_server}/basemap/0123456789abcdef.pmtiles", timeout=10).status_code == 404


def test_a_file_that_is_not_pmtiles_stops_the_start_naming_the_setting(server_env, tmp_path):
    not_pmtiles = tmp_path / "borough.pmtiles"
    not_pmtiles.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    env = {**separate_env(server_env, tmp_path), "REPORTIT_BASEMAP": str(not_pmtiles)}
    started = subprocess.run([sys.executable, "-m", "reportit.cli", "serve", "--port", "1"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert started.returncode == 2
    assert "REPORTIT_BASEMAP" in started.stderr and "is not a PMTiles file" in started.stderr
    env["REPORTIT_BASEMAP"] = str(tmp_path / "missing.pmtiles")
    missing = subprocess.run([sys.executable, "-m", "reportit.cli", "migrate"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "REPORTIT_BASEMAP" in missing.stderr and "is not a file" in missing.stderr


def test_streets_in_british_national_grid_are_refused_and_nothing_is_written(tmp_path):
    streets = tmp_path / "streets.geojson"
    streets.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "Regent Street"},
        "geometry": {"type": "LineString", "coordinates": [[529090, 180880], [529200, 181100]]}}]}))
    out = tmp_path / "out.pmtiles"
    built = build_basemap(out, streets=streets)
    assert built.returncode == 1
    assert "feature 1" in built.stderr and "British National Grid" in built.stderr
    assert not out.exists()


def test_a_broken_polygon_is_refused_naming_the_feature(tmp_path):
    areas = tmp_path / "wards.geojson"
    areas.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Good"}, "geometry": {"type": "Polygon", "coordinates": [
            [[-0.14, 51.49], [-0.13, 51.49], [-0.13, 51.50], [-0.14, 51.49]]]}},
        {"type": "Feature", "properties": {"name": "Bow tie"}, "geometry": {"type": "Polygon", "coordinates": [
            [[-0.14, 51.49], [-0.13, 51.50], [-0.13, 51.49], [-0.14, 51.50], [-0.14, 51.49]]]}}]}))
    out = tmp_path / "out.pmtiles"
    built = build_basemap(out, areas=areas)
    assert built.returncode == 1 and "feature 2" in built.stderr and "broken" in built.stderr
    assert not out.exists()


def test_a_server_can_serve_a_basemap_built_elsewhere_with_several_workers(server_env, basemap_file, tmp_path):
    env = separate_env(server_env, tmp_path)
    with running_server(env, workers=2, REPORTIT_BASEMAP=str(basemap_file)) as (url, _process):
        basemap = map_settings(url)["basemap"]
        ranges = {httpx.get(url + basemap["url"], headers={"Range": "bytes=0-99"}, timeout=10).headers["etag"]
                  for _ in range(6)}
        assert len(ranges) == 1  # every worker names the same version


def _one_tile_pmtiles(path, tile_type, metadata: dict) -> None:
    from pmtiles.tile import Compression
    from pmtiles.writer import write

    with write(str(path)) as writer:
        writer.write_tile(0, b"\x1f\x8b" + b"\0" * 18)
        writer.finalize({"tile_type": tile_type, "tile_compression": Compression.GZIP, "min_lon_e7": 0,
                         "min_lat_e7": 0, "max_lon_e7": 0, "max_lat_e7": 0, "center_zoom": 0, "center_lon_e7": 0,
                         "center_lat_e7": 0}, metadata)


def test_a_pmtiles_file_of_pictures_is_refused_saying_vector_tiles_are_needed(tmp_path):
    from pmtiles.tile import TileType

    from reportit.basemap.file import NotPMTiles, check

    path = tmp_path / "aerial.pmtiles"
    _one_tile_pmtiles(path, TileType.PNG, {})
    with pytest.raises(NotPMTiles, match="holds PNG tiles; the basemap must be vector tiles"):
        check(path)


def test_the_files_attribution_reaches_the_map_as_text_not_markup(tmp_path):
    from pmtiles.tile import TileType

    from reportit.basemap.file import check

    path = tmp_path / "osm.pmtiles"
    _one_tile_pmtiles(path, TileType.MVT, {
        "attribution": '<a href="https://www.openstreetmap.org/copyright">&copy; OpenStreetMap</a><img src=x onerror=alert(1)> & friends'})
    assert check(path).attribution == "© OpenStreetMap &amp; friends"
    assert check(path).illustrative is False
