"""The Alerts screen, the resident's way: turn notifications on, save an alert around where they
are (seeing "about N a week" first, and a clear message for a place left out), then an application
published inside the radius and one outside gives exactly one push at the local push service,
opening /a/{reference}; change the alert, delete it. axe on every state."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import quote

from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e import account_journey
from tests.e2e.conftest import axe_violations, poll

mailbox = account_journey.mailbox
receiver = account_journey.receiver
push_service = account_journey.push_service
account_server = account_journey.account_server
phone = account_journey.phone

PUBLISH = """
import asyncio, sys
from reportit import database, events, wiring
from reportit.push.tables import Notification
from reportit.settings import load_settings

async def main(reference, lat, lng):
    settings = load_settings()
    database.use(database.engine_for(settings))
    wiring.wire_domains()
    async with database.write_transaction(Notification._meta.db):
        await events.publish(events.ApplicationReceived(
            application_id=1, version_id=1, reference=reference, regime="planning", application_type="full",
            address="3 Alert Row, London SW1", description="Two-storey rear extension",
            latitude=float(lat), longitude=float(lng)), settings)

asyncio.run(main(*sys.argv[1:]))
"""


def publish_application(env: dict, reference: str, lat: float, lng: float) -> None:
    """As the applications import will: the event in its write transaction, from another process."""
    result = subprocess.run([sys.executable, "-c", PUBLISH, reference, str(lat), str(lng)],
                            env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def accessible(page, screen: str) -> None:
    assert axe_violations(page) == [], f"axe found problems on {screen}"


def test_save_an_alert_around_home_and_hear_of_one_application_inside_it(phone, push_service, account_server):
    _origin, env, _proxy = account_server
    name = f"alerts-{uuid.uuid4().hex[:8]}"
    page = phone(name)

    page.get_by_role("link", name="Hear about planning and licensing applications").click()
    page.get_by_role("heading", name="Alerts", exact=True).wait_for()
    page.get_by_text("You have no alerts yet.").wait_for()
    accessible(page, "the empty Alerts screen")
    page.get_by_role("button", name="Get alerts as notifications on this phone").click()
    page.get_by_text("Notifications are on for this phone.").wait_for()

    page.get_by_role("link", name="Add an alert").click()
    page.get_by_role("heading", name="Add an alert").wait_for()
    page.get_by_role("button", name="Save alert").click()  # no place yet
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Choose a place on the map, use your location")
    accessible(page, "the alert form with an error")

    page.get_by_role("button", name="Use where I am now").click()
    expect(page.locator("#alert-latitude")).to_have_value("51.4975")
    expect(page.locator("#alert-estimate")).to_have_text("Over the last 90 days this alert would have sent you nothing.")
    expect(page.locator("#alert-label")).to_have_value("Near me")  # this server knows no streets
    page.select_option("#alert-radius", "500")
    page.get_by_label("New licensing applications").uncheck()
    accessible(page, "the alert form")
    page.get_by_role("button", name="Save alert").click()

    page.get_by_role("heading", name="Near me").wait_for()
    expect(page.locator(".alert-list")).to_contain_text("Within 500 metres: new planning applications")
    accessible(page, "the Alerts screen with an alert")

    inside, outside = f"24/{uuid.uuid4().hex[:6].upper()}/FUL", f"24/{uuid.uuid4().hex[:6].upper()}/FUL"
    publish_application(env, inside, 51.4990, -0.1357)  # about 170 m north
    publish_application(env, outside, 51.4975, -0.1200)  # about 1.1 km east
    pushes = poll(lambda: push_service.delivered(name), message="no push arrived")
    notification = pushes[0].payload["notification"]
    assert notification["navigate"].endswith(f"/a/{quote(inside, safe='')}")
    assert notification["title"] == "New planning application near me"
    page.wait_for_timeout(6000)  # the sender polls every 5 s on SQLite: time for a wrong second push
    assert len(push_service.delivered(name)) == 1

    page.get_by_role("link", name="Change Near me").click()
    page.get_by_role("heading", name="Change an alert").wait_for()
    page.select_option("#alert-radius", "1000")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".alert-list")).to_contain_text("Within 1 kilometre")

    page.get_by_role("button", name="Delete Near me").click()
    page.get_by_text("You have no alerts yet.").wait_for()
