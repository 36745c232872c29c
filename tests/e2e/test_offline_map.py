"""The council's basemap in the app: drawn from its vector tiles, redrawn from the phone with no
network request, and, for a warden who kept the whole borough, drawn anywhere with no signal."""

from __future__ import annotations

import time
from typing import Iterator

import pytest

from tests.conftest import running_server, separate_env
from tests.e2e.conftest import WESTMINSTER, axe_violations, poll, wait_for_service_worker
from tests.e2e.journey import continue_, start_report
from tests.e2e.test_console_journeys import PASSWORD, add_staff

# Pixels of the map's canvases unlike the ground (streets, their names, ward lines): a drawn map
# has thousands; an empty or grey one none.
DRAWN_PIXELS = """(selector) => {
  let count = 0;
  for (const canvas of document.querySelectorAll(`${selector} canvas`)) {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 0 && (Math.abs(r - 0xf3) > 24 || Math.abs(g - 0xf1) > 24 || Math.abs(b - 0xea) > 24)) count += 1;
    }
  }
  return count;
}"""



def drawn_pixels(page, selector: str = "#map") -> int:
    return page.evaluate(DRAWN_PIXELS, selector)


KEPT_RANGES = """async () => (await (await caches.open('reportit-basemap')).keys()).length"""
KEPT_STREETS = """async () => Boolean(await (await caches.open('reportit-places')).match('/api/streets'))"""


@pytest.fixture
def map_origin(proxy, basemap_server) -> Iterator[str]:
    """The app with a basemap, behind the test proxy (whose log is every request that reached the server)."""
    proxy.reset()
    proxy.upstream = basemap_server
    yield proxy.url
    proxy.reset()


@pytest.fixture
def map_context(browser, map_origin):
    contexts = []

    def make():
        context = browser.new_context(locale="en-GB", base_url=map_origin, geolocation=WESTMINSTER,
                                      permissions=["geolocation", "background-sync"])
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


class Requests:
    """What the page asked for: whether each was answered by the service worker, and any that failed."""

    def __init__(self, page) -> None:
        self.network: list[str] = []
        self.failed: list[str] = []
        page.on("requestfinished", self._finished)
        page.on("requestfailed", lambda request: self.failed.append(request.url))

    def _finished(self, request) -> None:
        response = request.response()
        if not (response and response.from_service_worker) and not request.url.startswith(("data:", "blob:")):
            self.network.append(request.url)

    def from_network(self) -> list[str]:
        return self.network


def to_location_step(page) -> None:
    start_report(page, "graffiti")
    page.locator("input[name=offensive][value=no]").check()
    continue_(page)
    page.wait_for_url("**/report/photos")
    continue_(page)
    page.wait_for_url("**/report/location")


def continue_unfinished(page) -> None:
    """Back to the report being written, which the app kept at the location step."""
    page.goto("/report")
    page.get_by_role("button", name="Continue the report").click()
    page.wait_for_url("**/report/location")


def wait_for_drawn_map(page, zoom: int | None = None) -> None:
    drawn = "#map[data-map-state=drawn]" + (f"[data-map-zoom='{zoom}']" if zoom is not None else "")
    page.locator(drawn).wait_for(timeout=30000)
    poll(lambda: drawn_pixels(page) > 2000, timeout=15, message="the map's tiles stayed empty")


def settle(proxy) -> None:
    """Until nothing has reached the server for half a second (the app's start-up calls, the
    worker's update check), so what the proxy logs next is only what comes after."""
    def quiet() -> bool:
        before = len(proxy.log)
        time.sleep(0.5)
        return proxy.pending == 0 and len(proxy.log) == before

    poll(quiet, timeout=15, interval=0, message="the app never stopped asking the server")


def basemap_requests(proxy) -> list[str]:
    return [path for method, path, status in proxy.log if path.startswith("/basemap/")]


def map_requests(proxy) -> list[str]:
    """Requests for the map (its file and libraries) that reached the server. (Chromium's check for a
    new service worker, on each navigation, reaches it even with the context offline: not the map's.)"""
    return [path for method, path, status in proxy.log if path.startswith(("/basemap/", "/vendor/"))]


def test_the_map_draws_vector_tiles_then_redraws_a_seen_view_with_no_network_request(map_context, proxy):
    context = map_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    to_location_step(page)
    wait_for_drawn_map(page)
    assert basemap_requests(proxy), "the map did not read the basemap from the server"
    assert "Illustrative map" in page.locator("#map .leaflet-control-attribution").inner_text()
    poll(lambda: page.evaluate(KEPT_RANGES) >= len(set(basemap_requests(proxy))), timeout=15,
         message="the service worker did not keep the ranges it fetched")

    # With a signal, a seen view is drawn from the phone: nothing of the map goes to the server.
    proxy.reset()
    again = context.new_page()
    continue_unfinished(again)
    wait_for_drawn_map(again)
    assert basemap_requests(proxy) == []

    # With no signal, the same view draws, and nothing at all goes to the network.
    again.close()
    settle(proxy)
    context.set_offline(True)
    proxy.reset()
    offline = context.new_page()
    requests = Requests(offline)
    continue_unfinished(offline)
    wait_for_drawn_map(offline)
    assert requests.from_network() == [] and requests.failed == []
    assert map_requests(proxy) == []

    # A zoom this phone never saw cannot be drawn with no signal: the map does not claim it was.
    offline.locator(".leaflet-control-zoom-in").click()
    offline.locator("#map[data-map-state=incomplete][data-map-zoom='16']").wait_for(timeout=30000)


def test_a_warden_keeps_the_whole_borough_and_the_map_draws_anywhere_offline(map_context, proxy, basemap_env, basemap_file):
    warden = add_staff(basemap_env, "warden")
    proxy.fail("GET", "/api/streets", 503)  # the street list the phone fetches once installed does not arrive
    context = map_context()
    page = context.new_page()
    page.goto("/account?screen=staff")
    wait_for_service_worker(page)
    poll(lambda: proxy.statuses("GET", "/api/streets") == [503], message="the phone never asked for the street list")
    page.fill("#email", warden)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    size_kb = round(basemap_file.stat().st_size / 1024)
    keep = page.get_by_role("button", name=f"Keep the whole borough on this phone ({size_kb} KB)")
    assert not page.evaluate(KEPT_STREETS)
    keep.click()
    page.get_by_text(f"The whole borough's map is kept on this phone ({size_kb} KB).").wait_for()
    assert axe_violations(page) == []
    assert [p for p in basemap_requests(proxy)] and all("?" not in p for p in basemap_requests(proxy))
    poll(lambda: page.evaluate(KEPT_STREETS), message="keeping the borough did not keep its street list")

    # The map was never opened with a signal: offline, it draws from the kept file, here and zoomed in.
    settle(proxy)
    context.set_offline(True)
    proxy.reset()
    requests = Requests(page)
    to_location_step(page)
    wait_for_drawn_map(page, zoom=15)
    page.locator(".leaflet-control-zoom-in").click()
    wait_for_drawn_map(page, zoom=16)
    for zoom in (15, 14, 13):  # out to where the whole ward shows, never seen before either
        page.locator(".leaflet-control-zoom-out").click()
        wait_for_drawn_map(page, zoom=zoom)
    # (The app's own calls, /api/session and the like, fail with no signal as they always do.)
    assert [url for url in requests.from_network() + requests.failed if "/basemap/" in url or "/vendor/" in url] == []
    assert map_requests(proxy) == []

    # Removing it frees the space; the ranges seen while using the map stay.
    context.set_offline(False)
    page.goto("/account")
    page.get_by_role("button", name="Remove the borough map from this phone").click()
    page.get_by_text("The borough map was removed from this phone.").wait_for()
    assert page.get_by_role("button", name=f"Keep the whole borough on this phone ({size_kb} KB)").is_visible()


def test_the_location_step_passes_axe_with_the_map(map_context):
    page = map_context().new_page()
    page.goto("/")
    to_location_step(page)
    wait_for_drawn_map(page)
    assert axe_violations(page) == []


def test_without_any_map_the_location_step_says_so_and_passes_axe(app_context):
    page = app_context().new_page()
    page.goto("/")
    to_location_step(page)
    assert page.locator("#map-unavailable").inner_text().startswith("A map is not available.")
    assert page.locator("#map").count() == 0
    assert axe_violations(page) == []


def test_raster_tiles_still_draw_without_a_basemap(browser, server_env, tmp_path):
    env = {**separate_env(server_env, tmp_path), "REPORTIT_TILE_URL": "/app/icons/icon-192.png?z={z}&x={x}&y={y}"}
    with running_server(env) as (url, _process):
        context = browser.new_context(locale="en-GB", base_url=url, geolocation=WESTMINSTER, permissions=["geolocation"])
        try:
            page = context.new_page()
            page.goto("/")
            to_location_step(page)
            page.locator("#map[data-map-state=drawn]").wait_for(timeout=30000)
            loaded = page.evaluate("() => [...document.querySelectorAll('#map img.leaflet-tile')].filter((i) => i.naturalWidth > 0).length")
            assert loaded > 0
            assert page.locator("#map canvas").count() == 0  # no vector layer
        finally:
            context.close()


def map_url(page) -> str:
    """The basemap URL the page was given (in its map settings)."""
    return page.evaluate("() => JSON.parse(document.querySelector('meta[name=reportit-map]').content).basemap.url")


def test_a_basemap_replaced_while_the_map_is_open_says_so_and_reload_draws_the_new_one(browser, server_env, tmp_path,
                                                                                     basemap_file):
    from tests.basemap.fixtures import build_basemap
    from tests.basemap.test_basemap_replaced import replace

    new_file = tmp_path / "new.pmtiles"
    assert build_basemap(new_file, "--max-zoom", "15").returncode == 0
    live = tmp_path / "borough.pmtiles"
    live.write_bytes(basemap_file.read_bytes())
    env = {**separate_env(server_env, tmp_path / "data"), "REPORTIT_BASEMAP": str(live)}
    with running_server(env) as (url, _process):
        context = browser.new_context(locale="en-GB", base_url=url, geolocation=WESTMINSTER, permissions=["geolocation"])
        try:
            page = context.new_page()
            page.goto("/")
            wait_for_service_worker(page)
            to_location_step(page)
            page.fill("#location-text", "By the bus stop")
            wait_for_drawn_map(page, zoom=15)
            old_url = map_url(page)

            replace(live, new_file)  # the council puts its new map in place; the service runs on
            page.locator(".leaflet-control-zoom-in").click()  # a part of the old file this phone never read
            page.locator("#map[data-map-state=outdated]").wait_for(timeout=30000)
            notice = page.locator("#map-outdated")
            assert notice.get_by_role("status").inner_text() == "The council has updated its map. Reload to see it."
            assert axe_violations(page) == []
            # The app asked for its new version at once (not in 30 minutes): it waits, installed.
            poll(lambda: page.evaluate("async () => Boolean((await navigator.serviceWorker.getRegistration()).waiting)"),
                 message="the service worker was not asked to update")

            notice.get_by_role("button", name="Reload").click()
            page.get_by_role("button", name="Continue the report").click()  # the report kept on the phone
            page.wait_for_url("**/report/location")
            assert page.locator("#location-text").input_value() == "By the bus stop"
            wait_for_drawn_map(page)
            assert map_url(page) != old_url
            assert page.locator("#map-outdated").count() == 0
        finally:
            context.close()
