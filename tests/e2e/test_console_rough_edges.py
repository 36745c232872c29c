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


def test_the_dashboard_chart_loads_after_the_page_and_only_there(page, live_server, officer_email):
    quick_reports(live_server, f"charted{secrets.token_hex(3)}", 2)
    sign_in(page, live_server, officer_email)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{live_server}/console/")
    page.wait_for_load_state("networkidle")
    assert not any("uplot" in url for url in asked)  # the case list never loads the chart library

    page.goto(f"{live_server}/console/dashboard")
    chart = page.locator("#weekly-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("canvas")).to_have_count(1)
    assert chart.locator(".u-legend").inner_text().count("Streets and pavements") == 1
    assert page.get_by_role("table", name="Reports received each week (weeks start on Monday), by group").is_visible()
    assert axe_violations(page) == []


def test_merging_different_categories_asks_first_and_works_by_keyboard(page, live_server, officer_email):
    [original] = quick_reports(live_server, f"merge{secrets.token_hex(3)}", 1)
    token = httpx.post(f"{live_server}/api/devices").json()["token"]
    dumped = httpx.post(f"{live_server}/api/reports", headers={"Authorization": f"Bearer {token}",
                                                                "Idempotency-Key": str(uuid.uuid4())},
                        files=[(k, (None, v)) for k, v in {"category": "fly_tipping", "answers": '{"hazardous": "no"}',
                                                            "location_text": "Outside 3 Victoria Street"}.items()]
                        ).json()["reference"]
    sign_in(page, live_server, officer_email)
    page.goto(f"{live_server}/console/reports/{dumped}")
    tab_to(page, "#original")
    page.keyboard.type(original)
    tab_to(page, "#duplicate-title ~ form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Yes, merge anyway")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert axe_violations(page) == []
    tab_to(page, "#confirm_merge")
    page.keyboard.press("Space")
    tab_to(page, "#duplicate-title ~ form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**done=duplicate**")
    assert "Marked as a duplicate" in page.locator(".notice").inner_text()


def test_my_reports_links_a_duplicate_to_its_original(app_context, live_server, officer_email, browser):
    [original] = quick_reports(live_server, f"orig{secrets.token_hex(3)}", 1)
    phone = app_context().new_page()
    phone.goto("/")
    fill_report(phone, description="Paint on the wall by the bus stop, again")
    send(phone)
    mine = sent_reference(phone)

    console = browser.new_context(locale="en-GB").new_page()
    sign_in(console, live_server, officer_email)
    console.goto(f"{live_server}/console/reports/{mine}")
    console.fill("#original", original)
    console.click("#duplicate-title ~ form button[type=submit]")
    console.locator("#confirm_merge").check()  # graffiti into a pothole: asked first
    console.click("#duplicate-title ~ form button[type=submit]")
    console.wait_for_url("**done=duplicate**")
    console.context.close()

    phone.goto("/mine")
    link = phone.locator(".item", has_text=mine).get_by_role("link", name=f"report {original[:4]}-{original[4:]}")
    expect(link).to_have_attribute("href", f"{live_server}/r/{original}")


def test_staff_change_their_password_and_an_admin_deactivates_someone_by_keyboard(page, live_server, server_env):
    admin, warden = add_staff(server_env, "admin"), add_staff(server_env, "warden")
    sign_in(page, live_server, admin)
    tab_to(page, "a[href='/console/account/password']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/account/password")
    tab_to(page, "#current_password")
    page.keyboard.type("correct horse battery staple")
    tab_to(page, "#password")
    page.keyboard.type("an even better passphrase")
    tab_to(page, "#password_again")
    page.keyboard.type("an even better passphrase")
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_contain_text("Your password is changed")

    page.goto(f"{live_server}/console/admin")
    action = page.locator("tr", has_text=warden).locator("form[action$='/access']").get_attribute("action")
    tab_to(page, f"form[action='{action}'] button")
    assert page.evaluate("document.activeElement.textContent").startswith("Deactivate")
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_contain_text("Account deactivated")
    assert axe_violations(page) == []
