"""Places in the app, as a resident meets them in a real Chromium: the street type-ahead and the
nearest street with no signal, a partner's street, and "Is it one of these?" — following a report
near by, then hearing about it by push (the joined push journey's mock push service)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import httpx
import pytest

from tests.conftest import ROOT, free_port
from tests.e2e.conftest import PushDelivery, axe_violations, poll, start_server, stop_server, wait_for_service_worker
from tests.e2e.journey import continue_, start_report
from tests.e2e.test_push_journey import STUB_PUSH_MANAGER, push_service, receiver  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

DEMO = ROOT / "server" / "reportit" / "places" / "demo"
REGENT_STREET = {"latitude": 51.51265, "longitude": -0.1385, "accuracy": 9}
VICTORIA_EMBANKMENT = {"latitude": 51.5040, "longitude": -0.12281, "accuracy": 9}
MESSAGE = "Our crew will fill it on Monday."
SAVED_STREETS = """async () => {
  const cache = await caches.open('reportit-places');
  return Boolean(await cache.match('/api/streets'));
}"""


def cli(env, *args) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "reportit.cli", *args], env={**os.environ, **env}, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def places_server(server_env, push_service, tmp_path):  # noqa: F811
    """`reportit serve` with the illustrative streets and wards imported, on its own database (its
    sender must not race the shared live server's), taking the mock push service."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**server_env, "REPORTIT_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": f"sqlite:///{tmp_path / 'places.sqlite'}",
           "REPORTIT_BASE_URL": url, "REPORTIT_PUSH_HOSTS": push_service.host,
           "REPORTIT_PUSH_CA_FILE": push_service.ca_file, "REPORTIT_VAPID_SUBJECT": "mailto:places@westminster.example"}
    cli(env, "migrate")
    cli(env, "streets", "import", str(DEMO / "streets.geojson"))
    cli(env, "areas", "import", str(DEMO / "wards.geojson"), "--kind", "ward")
    url, process = start_server(env, port)
    push_service.vapid_public_key = httpx.get(f"{url}/api/push/public-key", timeout=10).json()["public_key"]
    yield url, env
    stop_server(process)


def to_location(page, category: str = "pothole") -> None:
    start_report(page, category)
    if page.url.endswith("/report/questions"):
        page.locator("input[name=danger][value=no]").check()
        page.locator("input[name=size][value=large]").check()
        continue_(page)
    page.wait_for_url("**/report/photos")
    continue_(page)
    page.wait_for_url("**/report/location")


def test_with_no_signal_the_type_ahead_offers_streets_and_a_fix_names_the_nearest(browser, places_server):
    url, _ = places_server
    context = browser.new_context(locale="en-GB", base_url=url, permissions=["geolocation"], geolocation=REGENT_STREET)
    try:
        page = context.new_page()
        page.goto("/")
        wait_for_service_worker(page)
        to_location(page)
        poll(lambda: page.evaluate(SAVED_STREETS), message="the street list was never kept on the phone")

        context.set_offline(True)
        page.reload()
        page.click("#continue-draft")  # the report kept on the phone, offered after a reload
        page.wait_for_url("**/report/location")
        page.locator("#street-search").press_sequentially("rege")
        poll(lambda: page.locator("#street-options option").count(), message="no street offered")
        offered = [o.get_attribute("value") for o in page.locator("#street-options option").all()]
        assert offered == ["Regency Street", "Regent Street"]
        assert page.locator("#street-count").inner_text() == "2 streets match"
        page.fill("#street-search", "Regent Street")
        page.locator("#street-search").dispatch_event("input")
        poll(lambda: page.input_value("#location-text") == "Regent Street", message="the street was not used")

        page.click("#use-device-location")
        page.locator("#place-words strong").wait_for()
        assert page.locator("#place-words").inner_text().startswith(
            "Near Regent Street, West End ward. Your location, accurate to about 9 metres.")
        assert axe_violations(page) == []

        # Back online, the server says the same, and the report stores the street and ward.
        context.set_offline(False)
        continue_(page)
        page.wait_for_url("**/report/description")
    finally:
        context.close()


def test_a_fresh_phone_keeps_the_street_list_before_the_location_step_is_ever_opened(browser, places_server):
    url, _ = places_server
    context = browser.new_context(locale="en-GB", base_url=url)
    try:
        page = context.new_page()
        page.goto("/")
        wait_for_service_worker(page)
        poll(lambda: page.evaluate(SAVED_STREETS), message="the street list was not kept once the app was installed")

        context.set_offline(True)
        to_location(page)
        page.locator("#street-search").press_sequentially("rege")
        poll(lambda: page.locator("#street-options option").count(), message="no street offered with no signal")
        assert [o.get_attribute("value") for o in page.locator("#street-options option").all()] == ["Regency Street", "Regent Street"]
        assert page.locator("#street-count").inner_text() == "2 streets match"
    finally:
        context.close()


def test_a_street_a_partner_looks_after_shows_their_signpost_instead_of_the_form(browser, places_server):
    url, _ = places_server
    context = browser.new_context(locale="en-GB", base_url=url, permissions=["geolocation"], geolocation=VICTORIA_EMBANKMENT)
    try:
        page = context.new_page()
        to_location(page)
        page.click("#use-device-location")
        signpost = page.locator("#partner-signpost")
        signpost.wait_for()
        assert "Transport for London deals with this street" in signpost.inner_text()
        assert "Victoria Embankment is looked after by Transport for London, not the council" in signpost.inner_text()
        assert axe_violations(page) == []
        continue_(page)
        assert page.url.endswith("/report/location")  # no form for a partner's street
        assert page.evaluate("() => document.activeElement.id") == "partner-signpost"
    finally:
        context.close()


def test_following_a_report_near_by_instead_of_reporting_it_again_brings_its_news(browser, places_server, push_service, receiver):  # noqa: F811
    url, env = places_server
    device = httpx.post(f"{url}/api/devices", timeout=10).json()
    existing = httpx.post(f"{url}/api/reports", headers={"Authorization": f"Bearer {device['token']}",
                                                         "Idempotency-Key": str(uuid.uuid4())},
                          files={"category": (None, "pothole"), "answers": (None, json.dumps({"danger": "no", "size": "large"})),
                                 "description": (None, "Deep hole in the bus lane"),
                                 "latitude": (None, "51.51270"), "longitude": (None, "-0.13855")}, timeout=30)
    assert existing.status_code == 201, existing.text
    reference = existing.json()["reference"]

    endpoint = push_service.url("ok", "places")
    context = browser.new_context(locale="en-GB", base_url=url, geolocation=REGENT_STREET,
                                  permissions=["geolocation", "notifications", "background-sync"])
    try:
        context.add_init_script(f"({STUB_PUSH_MANAGER})({json.dumps({'endpoint': endpoint, 'keys': receiver.keys})})")
        page = context.new_page()
        page.goto("/")
        wait_for_service_worker(page)
        to_location(page)
        page.click("#use-device-location")
        page.locator("#place-words strong").wait_for()
        continue_(page)
        page.get_by_role("heading", name="Is it one of these?").wait_for()
        item = page.locator(f"#nearby-{reference}")
        assert "Regent Street, West End ward" in item.inner_text() and "metres away" in item.inner_text()
        assert "Deep hole in the bus lane" in item.inner_text()
        assert axe_violations(page) == []
        with page.expect_response(lambda r: r.url.endswith("/api/me/push-subscription") and r.request.method == "PUT"):
            item.get_by_role("button", name="This is my problem – follow it").click()
        page.get_by_role("heading", name="You are following this report").wait_for()
        assert axe_violations(page) == []
        assert httpx.get(f"{url}/api/me/reports", headers={"Authorization": f"Bearer {device['token']}"}).status_code == 200

        cli(env, "status", reference, "in_progress", "--message", MESSAGE)
        [received] = poll(lambda: push_service.delivered("places"), timeout=30,
                          message=f"the push service got nothing: {push_service.received}")
        notification = received.payload["notification"]
        assert notification["title"] == f"{reference[:4]}-{reference[4:]}: In progress – Regent Street, West End ward"
        assert notification["body"] == MESSAGE
        shown = PushDelivery(context, page, url).deliver(json.dumps(received.payload), bool)
        assert [(n["title"], n["body"]) for n in shown] == [(notification["title"], MESSAGE)]
    finally:
        context.close()


def file_pothole(url: str, latitude: str, longitude: str, description: str) -> str:
    device = httpx.post(f"{url}/api/devices", timeout=10).json()
    response = httpx.post(f"{url}/api/reports", headers={"Authorization": f"Bearer {device['token']}",
                                                         "Idempotency-Key": str(uuid.uuid4())},
                          files={"category": (None, "pothole"), "answers": (None, json.dumps({"danger": "no", "size": "large"})),
                                 "description": (None, description), "latitude": (None, latitude),
                                 "longitude": (None, longitude)}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def test_the_console_filters_by_ward_and_suggests_likely_duplicates(browser, places_server):
    from tests.e2e.test_console_journeys import PASSWORD, sign_in

    url, env = places_server
    email = f"places-{uuid.uuid4().hex[:6]}@council.example"
    cli(env, "user", "add", email, "--role", "officer", "--password", PASSWORD)
    original = file_pothole(url, "51.51265", "-0.13850", "Pothole outside the shoe shop")
    repeat = file_pothole(url, "51.51275", "-0.13858", "Big hole near the shoe shop")
    elsewhere = file_pothole(url, "51.50400", "-0.12281", "Hole on the embankment")
    context = browser.new_context(locale="en-GB", base_url=url)
    try:
        page = context.new_page()
        sign_in(page, url, email)
        page.select_option("#ward", "West End")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**ward=West+End**")
        table = page.locator("table").first.inner_text()
        assert original in table.replace("-", "") and repeat in table.replace("-", "")
        assert elsewhere not in table.replace("-", "")
        assert "Regent Street, West End ward" in table
        assert axe_violations(page) == []

        page.goto(f"/console/reports/{repeat}")
        suggestion = page.locator(f"#likely-{original}")
        assert "Regent Street, West End ward" in suggestion.inner_text() and "m away" in suggestion.inner_text()
        assert axe_violations(page) == []
        suggestion.get_by_role("button").click()
        poll(lambda: (httpx.get(f"{url}/api/reports/{repeat}", timeout=10).json().get("duplicate_of") or {}).get("reference")
             == original, message="the case was not marked a duplicate of the suggestion")

        page.goto("/console/dashboard")
        page.locator("#busiest-wards").wait_for()
        assert "West End" in page.locator("#busiest-wards").inner_text()
        assert axe_violations(page) == []
    finally:
        context.close()


def test_with_no_signal_nearby_reports_come_from_the_last_copy_for_the_area(browser, places_server):
    url, _ = places_server
    reference = file_pothole(url, "51.51270", "-0.13855", "Hole by the crossing")
    context = browser.new_context(locale="en-GB", base_url=url, permissions=["geolocation"], geolocation=REGENT_STREET)
    try:
        page = context.new_page()
        page.goto("/")
        wait_for_service_worker(page)
        to_location(page)
        page.click("#use-device-location")
        page.locator("#place-words strong").wait_for()
        continue_(page)
        page.get_by_role("heading", name="Is it one of these?").wait_for()
        page.click("#report-new-problem")
        page.wait_for_url("**/report/description")

        context.set_offline(True)
        page.get_by_role("link", name="Back").click()
        page.wait_for_url("**/report/location")
        continue_(page)
        page.get_by_role("heading", name="Is it one of these?").wait_for()
        assert "Hole by the crossing" in page.locator(f"#nearby-{reference}").inner_text()
    finally:
        context.close()
