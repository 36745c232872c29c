"""The console's maps over the council's basemap: the case list and the case page draw its vector
tiles; without any map the case page says so instead of showing an empty box. axe both ways."""

from __future__ import annotations

import secrets

import pytest

from tests.e2e.conftest import axe_violations
from tests.e2e.test_console_journeys import add_staff, file_report, sign_in
from tests.e2e.test_offline_map import drawn_pixels


@pytest.fixture(scope="module")
def officer_on_basemap(basemap_server, basemap_env) -> str:
    return add_staff(basemap_env, "officer")


def test_the_case_list_and_the_case_page_draw_the_basemap(page, basemap_server, officer_on_basemap):
    reference = file_report(basemap_server, f"Mapped {secrets.token_hex(3)} pothole")
    sign_in(page, basemap_server, officer_on_basemap)
    page.wait_for_selector("#case-map-canvas[data-map-state=drawn]", timeout=30000)
    assert drawn_pixels(page, "#case-map-canvas") > 2000
    assert page.locator("#case-map-canvas .leaflet-interactive").count() > 0  # the cases, over the streets
    assert axe_violations(page) == []

    page.goto(f"{basemap_server}/console/reports/{reference}")
    page.wait_for_selector("#case-location-canvas[data-map-state=drawn]", timeout=30000)
    assert drawn_pixels(page, "#case-location-canvas") > 2000
    assert "Illustrative map" in page.locator("#case-location .leaflet-control-attribution").inner_text()
    assert axe_violations(page) == []


def test_without_any_map_the_case_page_says_the_map_is_not_available(page, live_server, server_env):
    officer = add_staff(server_env, "officer")
    reference = file_report(live_server, f"Unmapped {secrets.token_hex(3)} pothole")
    sign_in(page, live_server, officer)
    page.goto(f"{live_server}/console/reports/{reference}")
    assert page.locator("#case-location-unavailable").inner_text().startswith("Map not available")
    assert page.locator("#case-location").count() == 0
    assert "51.497500, -0.135700" in page.locator("main").inner_text()
    assert axe_violations(page) == []


def test_a_basemap_replaced_while_a_case_page_is_open_says_so_and_reload_draws_the_new_one(browser, server_env,
                                                                                         tmp_path, basemap_file):
    from tests.basemap.fixtures import build_basemap
    from tests.basemap.test_basemap_replaced import replace
    from tests.conftest import running_server, separate_env

    new_file = tmp_path / "new.pmtiles"
    assert build_basemap(new_file, "--max-zoom", "15").returncode == 0
    live = tmp_path / "borough.pmtiles"
    live.write_bytes(basemap_file.read_bytes())
    env = {**separate_env(server_env, tmp_path / "data"), "REPORTIT_BASEMAP": str(live)}
    with running_server(env) as (url, _process):
        officer = add_staff(env, "officer")
        reference = file_report(url, f"Mapped {secrets.token_hex(3)} pothole")
        context = browser.new_context(locale="en-GB")
        try:
            page = context.new_page()
            sign_in(page, url, officer)
            page.goto(f"{url}/console/reports/{reference}")
            canvas = page.locator("#case-location-canvas")
            page.wait_for_selector("#case-location-canvas[data-map-state=drawn]", timeout=30000)
            old = canvas.evaluate("(c) => JSON.parse(c.parentElement.dataset.basemap).url")

            replace(live, new_file)
            page.locator("#case-location .leaflet-control-zoom-in").click()  # a part never read
            page.wait_for_selector("#case-location-canvas[data-map-state=outdated]", timeout=30000)
            notice = page.locator("#case-location-canvas-outdated")
            assert notice.get_by_role("status").inner_text() == "The council has updated its map. Reload to see it."
            assert axe_violations(page) == []

            notice.get_by_role("button", name="Reload").click()
            page.wait_for_selector("#case-location-canvas[data-map-state=drawn]", timeout=30000)
            assert canvas.evaluate("(c) => JSON.parse(c.parentElement.dataset.basemap).url") != old
            assert drawn_pixels(page, "#case-location-canvas") > 2000
        finally:
            context.close()
