"""The Alerts form names a new alert after its place, the resident's way, by keyboard: "Near me"
where the phone knows no street, the nearest street after "Use where I am now", a street typed
into the street search, a saved place from My Account, a ward's name for a ward; the estimate says
the period once ("Over the last 90 days this alert would have sent you nothing."); the list says
where each alert is. axe on each state."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e import account_journey
from tests.e2e.account_journey import new_email, sign_in
from tests.e2e.conftest import WESTMINSTER, axe_violations

mailbox = account_journey.mailbox
receiver = account_journey.receiver
push_service = account_journey.push_service
account_server = account_journey.account_server
phone = account_journey.phone

DEMO = ROOT / "server" / "reportit" / "places" / "demo"
REGENT_STREET = {"latitude": 51.51265, "longitude": -0.13850, "accuracy": 8}
NO_STREET_NEAR = {"latitude": 51.5350, "longitude": -0.2100, "accuracy": 8}  # inside the council, 700 m from a street
NOTHING = "Over the last 90 days this alert would have sent you nothing."


@pytest.fixture(scope="module")
def places(account_server) -> None:
    """The demo streets and wards, imported as an officer imports them (the phone's street list has them)."""
    _origin, env, _proxy = account_server
    for command in (["streets", "import", str(DEMO / "streets.geojson")],
                    ["areas", "import", str(DEMO / "wards.geojson"), "--kind", "ward"]):
        done = subprocess.run([sys.executable, "-m", "reportit.cli", *command], env={**os.environ, **env}, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr


def accessible(page, screen: str) -> None:
    assert axe_violations(page) == [], f"axe found problems on {screen}"


def press(page, name: str) -> None:
    """A button, the keyboard's way."""
    page.get_by_role("button", name=name, exact=True).focus()
    page.keyboard.press("Enter")


def test_a_new_alert_is_named_after_its_place_and_the_list_says_where(phone, places, mailbox):
    page = phone(f"alert-places-{uuid.uuid4().hex[:8]}")
    sign_in(page, mailbox, new_email())
    page.context.set_geolocation(REGENT_STREET)
    page.goto("/account?screen=profile")
    page.fill("#place-0-label", "Work")
    page.fill("#place-0-address", "1 Regent Street")
    page.click("#place-0-locate")
    expect(page.locator("#place-0-status")).to_contain_text("Saved your location")
    page.get_by_role("button", name="Save your details").click()
    page.locator("#main").get_by_text("Signed in as").wait_for()

    page.context.set_geolocation(NO_STREET_NEAR)
    page.goto("/alerts?screen=new")
    page.get_by_role("heading", name="Add an alert").wait_for()
    label = page.locator("#alert-label")
    expect(label).to_have_value("")
    press(page, "Use where I am now")
    expect(label).to_have_value("Near me")
    expect(page.locator("#alert-estimate")).to_have_text(NOTHING)

    page.context.set_geolocation(WESTMINSTER)
    press(page, "Use where I am now")
    expect(label).to_have_value("Victoria Street")

    page.get_by_label("Street", exact=True).focus()
    page.keyboard.type("Regent Street")
    expect(label).to_have_value("Regent Street")
    expect(page.locator("#alert-locate-status")).to_contain_text("Regent Street")

    press(page, "Use Work (1 Regent Street)")
    expect(label).to_have_value("Work")
    expect(page.locator("#alert-latitude")).to_have_value("51.51265")
    expect(page.locator("#alert-estimate")).to_have_text(NOTHING)
    accessible(page, "the alert form with a saved place chosen")
    press(page, "Save alert")

    page.get_by_role("heading", name="Work").wait_for()
    expect(page.locator(".alert-list")).to_contain_text(
        "Within 500 metres of Regent Street, West End ward: new planning applications")
    accessible(page, "the Alerts screen with an alert for a place")

    page.get_by_role("link", name="Add an alert").click()
    page.get_by_role("heading", name="Add an alert").wait_for()
    page.get_by_label("A whole ward").check()
    page.select_option("#alert-ward", "West End")
    expect(label).to_have_value("West End")
    expect(page.locator("#alert-estimate")).to_have_text(NOTHING)
    label.fill("Gran's")  # the resident's own name is kept
    page.select_option("#alert-ward", "Pimlico")
    expect(label).to_have_value("Gran's")
    accessible(page, "the alert form for a ward")
    press(page, "Save alert")

    page.get_by_role("heading", name="Gran's").wait_for()
    expect(page.locator(".alert-list")).to_contain_text("In Pimlico ward: new planning applications")


def test_a_ward_alert_with_no_name_typed_is_named_after_its_ward(phone, places):
    page = phone(f"alert-ward-name-{uuid.uuid4().hex[:8]}")
    page.goto("/alerts?screen=new")
    page.get_by_role("heading", name="Add an alert").wait_for()
    page.get_by_label("A whole ward").check()
    press(page, "Use my ward")
    expect(page.locator("#alert-label")).to_have_value("St James's")
    press(page, "Save alert")
    page.get_by_role("heading", name="St James's").wait_for()
    expect(page.locator(".alert-list")).to_contain_text("In St James's ward")
