"""The console's rough edges in a real browser: buttons that look like the app's, the map's
area button, cluster numbers that fit, the dashboard chart, and a duplicate's link in My reports."""

from __future__ import annotations

import secrets
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations
from tests.e2e.journey import fill_report, send, sent_reference
from tests.e2e.test_console_journeys import add_staff, sign_in, tab_to

# Padding in ems: the console's text is a little smaller (dense tables), its buttons keep the proportions.
BUTTON_LOOK = """(el) => { const s = getComputedStyle(el); const em = (v) => (parseFloat(v) / parseFloat(s.fontSize)).toFixed(2);
  return { background: s.backgroundColor, colour: s.color, weight: s.fontWeight, radius: s.borderRadius,
  padding: `${em(s.paddingTop)} ${em(s.paddingRight)}`, minHeight: s.minHeight, shadow: s.boxShadow, border: s.borderStyle }; }"""
FOCUS_LOOK = """(el) => { const s = getComputedStyle(el); return {
  outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, shadow: s.boxShadow }; }"""


@pytest.fixture(scope="module")
def officer_email(live_server, server_env) -> str:
    return add_staff(server_env, "officer")


def quick_reports(live_server: str, word: str, count: int, spread: float = 0.0004) -> list[str]:
    """`count` pothole reports close together (no photos: fast), all mentioning `word`."""
    token = httpx.post(f"{live_server}/api/devices").json()["token"]
    references = []
    with httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {token}"}) as http:
        for i in range(count):
            fields = {
                "category": "pothole", "answers": '{"danger": "no", "size": "large"}', "description": f"{word} {i}",
                "latitude": str(51.4975 + spread * (i % 7) / 7), "longitude": str(-0.1357 + spread * (i // 7) / 20),
                "accuracy": "10", "location_source": "device"}
            response = http.post("/api/reports", headers={"Idempotency-Key": str(uuid.uuid4())},
                                 files=[(k, (None, v)) for k, v in fields.items()])  # multipart, as the app sends
            assert response.status_code == 201, response.text
            references.append(response.json()["reference"])
    return references


def test_console_buttons_look_and_focus_like_the_apps(page, live_server, officer_email):
    page.goto(f"{live_server}/report")
    app_button = page.get_by_role("button", name="Continue")
    app_look = app_button.evaluate(BUTTON_LOOK)
    app_button.focus()
    app_focus = app_button.evaluate(FOCUS_LOOK)

    sign_in(page, live_server, officer_email)
    console_button = page.get_by_role("button", name="Apply filters")
    assert console_button.evaluate(BUTTON_LOOK) == app_look
    tab_to(page, "#filters button[type=submit]")  # focused from the keyboard, as staff do
    assert console_button.evaluate(FOCUS_LOOK) == app_focus


def test_the_map_fills_in_its_area_and_the_list_follows(page, live_server, officer_email):
    word = f"mapped{secrets.token_hex(3)}"
    quick_reports(live_server, word, 3)
    sign_in(page, live_server, officer_email)
    page.goto(f"{live_server}/console/?q={word}")
    page.wait_for_selector("#case-map:not([hidden]) .leaflet-interactive")
    tab_to(page, "#search-area")
    page.keyboard.press("Enter")
    page.wait_for_url("**south=**")
    expect(page.locator("#area")).to_contain_text("Only cases in the map area you chose.")
    assert "Cases 1 to 3 of 3" in page.locator("table.cases caption").inner_text()
    page.get_by_role("link", name="Remove the area filter").click()
    assert "south" not in page.url and word in page.url


def test_without_javascript_there_is_no_area_to_type_and_no_map_button(browser, live_server, officer_email):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, live_server, officer_email)
        assert page.locator("#search-area").is_hidden()
        assert page.locator("#filters input[type=text]").count() == 0
        page.goto(f"{live_server}/console/dashboard")
        assert page.locator("#weekly-chart").is_hidden()
        assert page.get_by_role("table", name="Reports received each week (weeks start on Monday), by group").is_visible()
    finally:
        context.close()


def test_cluster_numbers_fit_inside_their_circles(page, live_server, officer_email):
    word = f"cluster{secrets.token_hex(3)}"
    quick_reports(live_server, word, 140, spread=0.00002)
    sign_in(page, live_server, officer_email)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/console/?q={word}")
    cluster = page.locator(".cluster").first
    cluster.wait_for()
    assert cluster.inner_text() == "140"
    fit = cluster.evaluate("""(el) => { const box = el.getBoundingClientRect(); const range = document.createRange();
      range.selectNodeContents(el); const text = range.getBoundingClientRect();
      return { overflowX: el.scrollWidth > el.clientWidth, overflowY: el.scrollHeight > el.clientHeight,
               inside: text.left >= box.left && text.right <= box.right && text.top >= box.top && text.bottom <= box.bottom,
               centred: Math.abs((text.left + text.right) / 2 - (box.left + box.right) / 2) < 2
                        && Math.abs((text.top + text.bottom) / 2 - (box.top + box.bottom) / 2) < 2,
               readable: parseFloat(getComputedStyle(el).fontSize) >= 14 }; }""")
    assert fit == {"overflowX": False, "overflowY": False, "inside": True, "centred": True, "readable": True}
