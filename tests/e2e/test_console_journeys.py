"""The officer console in a real browser: sign in, filter, open a case, change its status with a
response template, and see the reporter's permanent page; the same by keyboard alone."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import httpx
import pytest

from tests.conftest import ROOT
from tests.photo_samples import jpeg_with_exif

PASSWORD = "correct horse battery staple"


def add_staff(server_env: dict, role: str) -> str:
    """`reportit user add`, as a council would run it, against the live server's database."""
    email = f"e2e-{role}-{secrets.token_hex(3)}@council.example"
    subprocess.run([sys.executable, "-m", "reportit.cli", "user", "add", email, "--role", role, "--password", PASSWORD],
                   env={**os.environ, **server_env}, cwd=ROOT, check=True, capture_output=True, timeout=60)
    return email


def file_report(live_server: str, description: str, **extra) -> str:
    token = httpx.post(f"{live_server}/api/devices").json()["token"]
    response = httpx.post(
        f"{live_server}/api/reports", headers={"Authorization": f"Bearer {token}"},
        data={"category": "pothole", "answers": '{"danger": "no", "size": "large"}', "description": description,
              "latitude": "51.4975", "longitude": "-0.1357", "accuracy": "12", "location_text": "Victoria Street",
              **extra},
        files={"photo": ("p.jpg", jpeg_with_exif(width=640 + secrets.randbelow(300), height=480), "image/jpeg")},
    )
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def sign_in(page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/console/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:text('Sign in')")
    page.wait_for_url(f"{live_server}/console/")


def tab_to(page, selector: str, limit: int = 300) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


@pytest.fixture(scope="module")
def officer_email(live_server, server_env) -> str:
    return add_staff(server_env, "officer")


def test_an_officer_filters_opens_a_case_and_changes_its_status_with_a_template(page, live_server, officer_email):
    word = f"journey{secrets.token_hex(3)}"
    reference = file_report(live_server, f"Big {word} pothole")
    file_report(live_server, "Another pothole")
    sign_in(page, live_server, officer_email)

    page.fill("#q", word)
    page.click("button:text('Apply filters')")
    assert "Cases 1 to 1 of 1" in page.locator("table.cases caption").inner_text()
    # The map loads Leaflet lazily and shows the case, with no tiles configured.
    page.wait_for_selector("#case-map:not([hidden]) path.leaflet-interactive")

    page.click(f"a:text('{reference[:4]}-{reference[4:]}')")
    assert page.locator("h1").inner_text() == f"Case {reference[:4]}-{reference[4:]}"
    page.select_option("#template", "pothole_fixed")
    message = page.input_value("#public_message")
    assert message.startswith("We filled the pothole you reported") and reference[:4] in message
    assert page.input_value("#status") == "fixed"
    page.fill("#internal_note", "Filled by crew 7, internal only")
    page.click("button:text('Save status')")
    assert "Status saved." in page.locator(".notice").inner_text()
    assert "Filled by crew 7" in page.locator(".timeline").inner_text()

    page.goto(f"{live_server}/r/{reference}")
    body = page.locator("main").inner_text()
    assert "Fixed" in body and message in body and "crew 7" not in body


def test_the_case_list_and_a_status_change_work_by_keyboard_alone(page, live_server, officer_email):
    word = f"keys{secrets.token_hex(3)}"
    reference = file_report(live_server, f"Keyboard {word} report")
    sign_in(page, live_server, officer_email)

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    tab_to(page, "#q")
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**q={word}**")
    tab_to(page, f"a[href='/console/reports/{reference}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/reports/{reference}")

    tab_to(page, "#status")
    for _ in range(2):
        page.keyboard.press("ArrowDown")  # received -> investigating -> in progress
    assert page.input_value("#status") == "in_progress"
    tab_to(page, "#public_message")
    page.keyboard.type("A crew is on the way.")
    tab_to(page, "button[value=save]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/reports/{reference}?done=status**")
    assert "In progress" in page.locator("h1 + p .status").inner_text()
    assert "A crew is on the way." in httpx.get(f"{live_server}/r/{reference}").text


def test_without_javascript_a_template_is_used_through_the_server(browser, live_server, officer_email):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        reference = file_report(live_server, f"No script {secrets.token_hex(3)} pothole")
        sign_in(page, live_server, officer_email)
        page.goto(f"{live_server}/console/reports/{reference}")
        assert page.locator("#case-location").is_hidden()  # no map without JS; coordinates are on the page
        assert "51.497500, -0.135700" in page.locator("main").inner_text()
        page.select_option("#template", "scheduled")
        page.click("#use-template")
        assert page.input_value("#public_message").startswith("We have booked a repair for report")
        assert page.input_value("#status") == "action_scheduled"
        page.click("button:text('Save status')")
        assert "Status saved." in page.locator(".notice").inner_text()
        assert "Action scheduled" in httpx.get(f"{live_server}/r/{reference}").text
    finally:
        context.close()
