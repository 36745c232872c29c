"""Server-rendered pages in a real browser: accessible, usable by keyboard, fine without JavaScript."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import axe_violations
from tests.photo_samples import jpeg_with_exif


@pytest.fixture(scope="module")
def reference(live_server) -> str:
    token = httpx.post(f"{live_server}/api/devices").json()["token"]
    response = httpx.post(
        f"{live_server}/api/reports",
        headers={"Authorization": f"Bearer {token}"},
        data={"category": "fly_tipping", "answers": '{"hazardous": "no", "amount": "van"}',
              "description": "Sofa and builder's bags dumped by the bins", "latitude": "51.4951",
              "longitude": "-0.1296", "accuracy": "9", "location_text": "Outside 14 Marsham Street"},
        files={"photo": ("p.jpg", jpeg_with_exif(width=640, height=480), "image/jpeg")},
    )
    assert response.status_code == 201, response.text
    return response.json()["reference"]


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    yield context.new_page()
    context.close()


def test_the_permanent_page_is_accessible_and_readable_without_javascript(no_js_page, page, live_server, reference):
    no_js_page.goto(f"{live_server}/r/{reference}")
    assert no_js_page.locator("h1").inner_text() == "Fly-tipping"
    assert "A van load or more" in no_js_page.content()
    assert no_js_page.locator(".photos img").count() == 1

    page.goto(f"{live_server}/r/{reference}")
    assert axe_violations(page) == []


def test_the_not_found_page_is_accessible_and_helpful(page, live_server):
    response = page.goto(f"{live_server}/r/ZZZZ2222")
    assert response.status == 404
    assert "We can't show this report" in page.locator("h1").inner_text()
    assert axe_violations(page) == []


def test_finding_a_report_works_by_keyboard_alone(page, live_server, reference):
    page.goto(f"{live_server}/find")
    assert axe_violations(page) == []
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    while page.evaluate("document.activeElement.id") != "reference":
        page.keyboard.press("Tab")
    page.keyboard.type(f"{reference[:4].lower()}-{reference[4:].lower()}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/r/{reference}")
    assert page.locator("h1").inner_text() == "Fly-tipping"


def test_a_wrong_reference_shows_an_error_summary_that_passes_axe(page, live_server):
    page.goto(f"{live_server}/find")
    page.fill("#reference", "nope")
    page.click("button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#reference").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
