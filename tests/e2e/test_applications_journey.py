"""Applications near me in a real Chromium: the list around my location with one clear deadline
each, filters, an application's page with its history, both still there with no signal; the
permanent page /a/{reference} and the console's applications pages pass axe and work by keyboard."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import date, timedelta

import pytest

from tests.applications.conftest import LICENSING_COLUMNS, csv_text, planning_row
from tests.conftest import ROOT
from tests.e2e.conftest import axe_violations, poll, wait_for_service_worker
from tests.e2e.test_console_journeys import add_staff, sign_in, tab_to

SOHO = {"latitude": 51.5136, "longitude": -0.1365, "accuracy": 10}


def words(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}" + ("" if day.year == date.today().year else f" {day.year}")


@pytest.fixture(scope="module")
def nearby(live_server, server_env, tmp_path_factory) -> dict:
    """A planning and a licensing application around Soho, imported as the council would."""
    tag = secrets.token_hex(2).upper()
    today = date.today()
    closes = today + timedelta(days=6)
    planning = planning_row(f"26/{tag}1/FULL", point=f"POINT ({SOHO['longitude']} {SOHO['latitude']})",
                            **{"address-text": f"{tag} Dean Street, London W1", "start-date": (today - timedelta(days=15)).isoformat(),
                               "end-date": closes.isoformat(), "description": "Rooftop extension"})
    licensing = {"reference": f"26/{tag}2/LIPN", "application-type": "new-premises", "address": f"{tag} Frith Street, London W1",
                 "latitude": f"{SOHO['latitude'] + 0.0008}", "longitude": f"{SOHO['longitude']}", "status": "under consultation",
                 "start-date": today.isoformat(), "end-date": (today + timedelta(days=28)).isoformat(),
                 "description": "Bar open until 01:00", "hearing-date": (today + timedelta(days=40)).isoformat()}
    folder = tmp_path_factory.mktemp("journey")
    (folder / "p.csv").write_text(csv_text([planning]))
    (folder / "l.csv").write_text(csv_text([licensing], LICENSING_COLUMNS))
    for name, regime in (("p.csv", "planning"), ("l.csv", "licensing")):
        subprocess.run([sys.executable, "-m", "reportit.cli", "applications", "import", str(folder / name), "--regime", regime],
                       env={**os.environ, **server_env}, cwd=ROOT, check=True, capture_output=True, timeout=120)
    return {"planning": planning, "licensing": licensing, "closes": closes, "tag": tag}


def test_applications_near_me_list_detail_and_offline(app_context, nearby):
    context = app_context(geolocation=SOHO)
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    page.click("#applications-near-me")
    page.wait_for_url("**/applications")
    page.get_by_role("heading", level=1, name="Planning and licensing applications near you").wait_for()

    page.click("#use-my-location")
    planning = page.locator("li.item", has_text=nearby["planning"]["address-text"])
    planning.wait_for()
    expected = f"Comments close in 6 days, on {words(nearby['closes'])}."
    assert planning.get_by_text(expected).is_visible()
    assert planning.get_by_text("still considered until a decision is made").is_visible()
    assert page.locator("#place-note").inner_text() == "Showing applications around where you are."
    assert axe_violations(page) == []

    page.click("summary:text('Filter the list')")
    page.select_option("#regime", "licensing")
    page.click("button:text('Show applications')")
    poll(lambda: page.locator("li.item", has_text=nearby["planning"]["address-text"]).count() == 0,
         message="the planning application is still listed with licensing chosen")
    licensing = page.locator("li.item", has_text=nearby["licensing"]["address"])
    assert licensing.get_by_text("Representations close in 28 days").is_visible()

    licensing.get_by_role("link").click()
    page.get_by_role("heading", level=1, name=nearby["licensing"]["address"]).wait_for()
    assert "Representations made after the deadline cannot be accepted." in page.locator("#application-deadline").inner_text()
    assert page.locator("#application-history").inner_text().startswith("New licensing application received.")
    assert page.locator("#application-alerts").count() == 1  # the place kept for "Get alerts about this application"
    assert axe_violations(page) == []

    context.set_offline(True)
    page.goto("/applications")
    page.locator("#applications-note").get_by_text("Offline — showing the list saved on this phone").wait_for()
    assert page.locator("li.item", has_text=nearby["licensing"]["address"]).is_visible()
    page.locator("li.item", has_text=nearby["licensing"]["address"]).get_by_role("link").click()
    page.locator("#application-saved").wait_for()
    assert page.get_by_role("heading", level=1, name=nearby["licensing"]["address"]).is_visible()


def test_a_type_is_chosen_from_the_council_s_list_and_an_application_found_by_its_reference(app_context, nearby):
    """The type filter asked for "a code from the council" typed by hand, the list claimed a map it
    does not have, and a resident holding a reference from a site notice had no way in."""
    context = app_context(geolocation=SOHO)
    page = context.new_page()
    page.goto("/applications")
    page.get_by_role("heading", level=1, name="Planning and licensing applications near you").wait_for()
    assert "map" not in page.locator("#place-note").inner_text()

    page.click("#use-my-location")
    page.locator("li.item", has_text=nearby["planning"]["address-text"]).wait_for()
    page.click("summary:text('Filter the list')")
    page.select_option("#type", label="New premises licence (licensing)")
    page.click("button:text('Show applications')")
    poll(lambda: page.locator("li.item", has_text=nearby["planning"]["address-text"]).count() == 0,
         message="the planning application is still listed with a licensing type chosen")
    assert page.locator("li.item", has_text=nearby["licensing"]["address"]).is_visible()
    assert axe_violations(page) == []

    page.get_by_role("textbox", name="Reference").fill(f"  {nearby['planning']['reference']} ")
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name=nearby["planning"]["address-text"]).wait_for()


def test_the_permanent_page_is_accessible_and_works_by_keyboard(browser, live_server, nearby):
    # The page has no script of its own (tests/applications/test_open_data.py checks its HTML).
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    reference = nearby["planning"]["reference"]
    response = page.goto(f"{live_server}/a/{reference}")
    assert response.status == 200
    assert page.get_by_text(f"Comments close in 6 days, on {words(nearby['closes'])}.").is_visible()
    assert axe_violations(page) == []
    tab_to(page, f"a[href='https://planning.example/{reference}']")
    missing = page.goto(f"{live_server}/a/NO-SUCH-{nearby['tag']}")
    assert missing.status == 404
    assert axe_violations(page) == []
    context.close()


def test_find_opens_an_application_typed_in_small_letters_and_its_page_leads_to_the_app_to_comment(
        browser, live_server, nearby):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    reference = nearby["planning"]["reference"]
    page.goto(f"{live_server}/find")
    page.fill("#reference", f" {reference.lower()} ")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/a/{reference}")
    assert page.get_by_role("heading", level=1, name=nearby["planning"]["address-text"]).is_visible()
    assert axe_violations(page) == []

    comment = "a[href^='/applications?reference=']"
    assert page.locator(comment).inner_text() == "Comment on this application in the Report It app"
    tab_to(page, comment)
    page.keyboard.press("Enter")
    page.wait_for_url("**/applications?reference=*")
    page.get_by_role("heading", level=1, name=nearby["planning"]["address-text"]).wait_for()
    page.get_by_role("button", name="Comment on this application").wait_for()
    context.close()


def test_console_applications_pages_are_accessible_and_record_a_decision(page, live_server, server_env, nearby):
    sign_in(page, live_server, add_staff(server_env, "officer"))
    page.goto(f"{live_server}/console/applications?q={nearby['tag']}")
    assert page.locator("table.cases tbody tr").count() == 2
    assert axe_violations(page) == []
    reference = nearby["planning"]["reference"]
    page.click(f"a:text('{reference}')")
    page.get_by_role("heading", level=1, name=reference).wait_for()
    assert axe_violations(page) == []
    page.click("button:text('Record the decision')")  # nothing typed: the error summary says what to do
    page.locator(".error-summary").get_by_text("Enter the decision").wait_for()
    assert axe_violations(page) == []
    tab_to(page, "#decision")
    page.keyboard.type("Granted with conditions")
    page.keyboard.press("Enter")
    page.get_by_text("The decision is recorded as a new version").wait_for()
    assert "Decided: Granted with conditions." in page.locator("table.cases").inner_text()
