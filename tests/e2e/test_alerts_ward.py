"""The Alerts form's ward picker, the resident's way: once the council has imported its wards
(`reportit areas import`), "A whole ward" is offered; "Use my ward" picks the ward this phone is in;
the estimate and the saved alert say the ward; an application in it is pushed. axe on each state."""

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
from tests.e2e.test_alerts_screen import PUBLISH

mailbox = account_journey.mailbox
receiver = account_journey.receiver
push_service = account_journey.push_service
account_server = account_journey.account_server
phone = account_journey.phone

WARDS = ROOT / "server" / "reportit" / "places" / "demo" / "wards.geojson"


def test_an_alert_for_my_ward_is_chosen_saved_and_heard(phone, push_service, account_server):
    _origin, env, _proxy = account_server
    imported = subprocess.run([sys.executable, "-m", "reportit.cli", "areas", "import", str(WARDS), "--kind", "ward"],
                              env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr
    name = f"ward-{uuid.uuid4().hex[:8]}"
    page = phone(name)

    page.goto("/alerts")
    page.get_by_role("button", name="Get alerts as notifications on this phone").click()
    page.get_by_text("Notifications are on for this phone.").wait_for()
    page.get_by_role("link", name="Add an alert").click()
    page.get_by_role("heading", name="Add an alert").wait_for()
    expect(page.locator("#alert-ward-set")).to_be_hidden()
    page.get_by_label("A whole ward").check()
    expect(page.locator("#alert-place-set")).to_be_hidden()
    page.get_by_role("button", name="Save alert").click()  # no ward chosen yet
    expect(page.locator(".error-summary")).to_contain_text("ward")
    assert axe_violations(page) == [], "axe found problems on the ward form with an error"

    page.get_by_role("button", name="Use my ward").click()
    expect(page.locator("#alert-ward")).to_have_value("St James's")
    expect(page.locator("#alert-ward-status")).to_have_text("You are in St James's ward.")
    expect(page.locator("#alert-estimate")).to_have_text("Over the last 90 days this alert would have sent you nothing.")
    expect(page.locator("#alert-label")).to_have_value("St James's")
    page.get_by_label("New licensing applications").uncheck()
    assert axe_violations(page) == [], "axe found problems on the ward form"
    page.get_by_role("button", name="Save alert").click()

    expect(page.locator(".alert-list")).to_contain_text("In St James's ward: new planning applications")
    assert axe_violations(page) == [], "axe found problems on the Alerts screen with a ward alert"

    reference = f"24/{uuid.uuid4().hex[:6].upper()}/FUL"
    script = PUBLISH.replace("latitude=float(lat), longitude=float(lng))", "latitude=float(lat), longitude=float(lng), "
                             "ward=\"St James's\")")
    assert "ward=" in script
    done = subprocess.run([sys.executable, "-c", script, reference, "51.4990", "-0.1357"], env={**os.environ, **env},
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    pushes = poll(lambda: push_service.delivered(name), message="no push arrived")
    assert pushes[0].payload["notification"]["title"] == "New planning application in St James's ward"
    assert pushes[0].payload["notification"]["navigate"].endswith(f"/a/{quote(reference, safe='')}")
