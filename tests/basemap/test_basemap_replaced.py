"""The council replaces its basemap file while the service runs: the app and the console name the
new file from the next request on, with no restart, and the app's version changes so phones update."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import httpx
import pytest

from tests.basemap.fixtures import build_basemap
from tests.basemap.test_basemap_serving import map_settings
from tests.conftest import running_server, separate_env
from tests.e2e.test_console_journeys import PASSWORD, add_staff

# A live server on the tests' database runs its own notification sender: see test_basemap_serving.py.
pytestmark = pytest.mark.browser


def replace(live: Path, built: Path) -> None:
    """As a council should: the new file written beside the old one, then renamed over it."""
    beside = live.with_name(live.name + ".new")
    shutil.copyfile(built, beside)
    os.replace(beside, live)


def app_version(server: str) -> str:
    manifest = httpx.get(f"{server}/precache-manifest.js", timeout=10).text
    return re.search(r'export const VERSION = "([0-9a-f]+)"', manifest).group(1)


def console_basemap_url(console: httpx.Client) -> str:
    page = console.get("/console/").text
    return re.search(r"data-basemap='[^']*\"url\": \"([^\"]+)\"", page).group(1)


def test_a_replaced_file_is_named_by_the_app_and_the_console_from_the_next_request(server_env, tmp_path):
    first, second = tmp_path / "a.pmtiles", tmp_path / "b.pmtiles"
    assert build_basemap(first).returncode == 0
    assert build_basemap(second, "--max-zoom", "15").returncode == 0
    live = tmp_path / "borough.pmtiles"
    shutil.copyfile(first, live)
    env = {**separate_env(server_env, tmp_path / "data"), "REPORTIT_BASEMAP": str(live)}
    with running_server(env) as (url, _process), httpx.Client(base_url=url, timeout=10) as console:
        officer = add_staff(env, "officer")  # after the server's start, which made the database
        sign_in = console.get("/console/sign-in").text
        token = re.search(r'name="csrftoken" value="([^"]+)"', sign_in).group(1)
        assert console.post("/console/sign-in", data={"email": officer, "password": PASSWORD,
                                                      "csrftoken": token}).status_code == 303

        url_a = map_settings(url)["basemap"]["url"]
        version_a = app_version(url)
        assert httpx.get(f"{url}/sw.js", timeout=10).text.startswith(f"// version {version_a}")
        assert console_basemap_url(console) == url_a
        assert httpx.get(url + url_a, headers={"Range": "bytes=0-126"}, timeout=10).status_code == 206

        replace(live, second)

        url_b = map_settings(url)["basemap"]["url"]
        assert url_b != url_a and map_settings(url)["basemap"]["max_zoom"] == 15
        assert app_version(url) != version_a  # a new app version: open apps and phones are offered it
        assert httpx.get(f"{url}/sw.js", timeout=10).text.startswith(f"// version {app_version(url)}")
        assert console_basemap_url(console) == url_b
        gone = httpx.get(url + url_a, headers={"Range": "bytes=0-126"}, timeout=10)
        assert gone.status_code == 404 and "reload" in gone.json()["detail"]
        data = second.read_bytes()
        served = httpx.get(url + url_b, headers={"Range": "bytes=100-1099"}, timeout=10)
        assert served.status_code == 206 and served.content == data[100:1100]
        assert served.headers["content-range"] == f"bytes 100-1099/{len(data)}"


def test_a_replacement_that_is_not_pmtiles_yet_is_no_map_until_it_is(server_env, tmp_path, basemap_file):
    live = tmp_path / "borough.pmtiles"
    shutil.copyfile(basemap_file, live)
    env = {**separate_env(server_env, tmp_path / "data"), "REPORTIT_BASEMAP": str(live)}
    with running_server(env) as (url, _process):
        url_a = map_settings(url)["basemap"]["url"]
        beside = live.with_name("half.pmtiles")
        beside.write_bytes(basemap_file.read_bytes()[:60])  # copied in place, cut short
        os.replace(beside, live)
        assert map_settings(url)["basemap"] is None  # the pages still work, with no map
        assert httpx.get(url + url_a, timeout=10).status_code == 404
        assert httpx.get(f"{url}/console/sign-in", timeout=10).status_code == 200

        replace(live, basemap_file)  # the same map again: its own URL again
        assert map_settings(url)["basemap"]["url"] == url_a
        assert httpx.get(url + url_a, headers={"Range": "bytes=0-9"}, timeout=10).status_code == 206
