"""A representation the resident's way, in a real Chromium: written with no signal on the
application's page (with its preview), kept in the Outbox, sent once when the signal returns; the
officer publishes it redacted in the console; /a/{reference} then shows it without the name or the
address. "Get alerts about this application" follows it. axe on every new screen and page."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from urllib.parse import quote

from tests.applications.conftest import csv_text, planning_row
from tests.conftest import ROOT
from tests.e2e import account_journey
from tests.e2e.account_journey import new_email, sign_in
from tests.e2e.conftest import axe_violations, poll
from tests.e2e.test_console_journeys import add_staff
from tests.e2e.test_console_journeys import sign_in as staff_sign_in

mailbox = account_journey.mailbox
receiver = account_journey.receiver
push_service = account_journey.push_service
account_server = account_journey.account_server
phone = account_journey.phone

NAME = "Ada Lovelace-Resident"
ADDRESS = "Flat 3, 41 Greek Street, London W1D 4EH"
TEXT = "The roof terrace would look straight into our bedrooms."


def representations(env: dict, reference: str) -> list[tuple]:
    database = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        return db.execute("SELECT name, address, state FROM application_representation WHERE reference = ?",
                          (reference,)).fetchall()


def test_written_offline_sent_once_published_redacted(phone, mailbox, account_server, browser):
    origin, env, _proxy = account_server
    today = date.today()
    reference = f"26/{os.urandom(2).hex().upper()}/FULL"
    row = planning_row(reference, **{"address-text": "12 Dean Street, London W1", "start-date": (today - timedelta(days=10)).isoformat(),
                                     "end-date": (today + timedelta(days=1)).isoformat(), "description": "Roof terrace"})
    import_rows(env, [row], "planning")

    page = phone("rep")
    email = new_email()
    sign_in(page, mailbox, email)
    page.goto(f"/applications?reference={quote(reference, safe='')}")
    page.get_by_role("heading", level=1, name="12 Dean Street, London W1").wait_for()
    page.get_by_role("button", name="Get alerts about this application").click()
    page.locator("#application-alerts-status").get_by_text("You will get alerts about this application").wait_for()
    assert axe_violations(page) == []

    page.context.set_offline(True)
    page.get_by_role("button", name="Comment on this application").click()
    page.get_by_role("button", name="Preview").click()  # nothing chosen: said on each field
    page.locator(".error-summary").get_by_text("Say whether you object").wait_for()
    assert axe_violations(page) == []
    page.get_by_label("I object").check()
    page.get_by_label("Loss of privacy").check()
    page.fill("#rep-text", TEXT)
    page.fill("#rep-name", NAME)
    page.fill("#rep-address", ADDRESS)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#rep-preview-panel")
    preview.get_by_text("No signal, so this is the app’s own preview").wait_for()
    assert TEXT in preview.locator("#rep-published").inner_text()
    assert NAME not in preview.locator("#rep-published").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send my representation").click()
    page.locator("#rep-queued").wait_for()

    page.click("#rep-queued a")
    page.get_by_role("heading", level=1, name="Outbox").wait_for()
    item = page.locator("li.item", has_text=f"Comment on application {reference}")
    item.wait_for()
    assert "The deadline is tomorrow" in item.inner_text()  # queued close to the deadline: warned
    assert axe_violations(page) == []
    assert representations(env, reference) == []

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    poll(lambda: len(representations(env, reference)) == 1, message="the representation never arrived")
    page.locator("li.item", has_text=f"Comment on application {reference}").locator("text=Sent").wait_for()
    page.reload()
    page.get_by_role("button", name="Try sending now").click()
    poll(lambda: page.locator("#outbox-list").get_by_text("Nothing is waiting to be sent.").count() == 1)
    assert representations(env, reference) == [(NAME, ADDRESS, "waiting")]  # sent exactly once

    context = browser.new_context(locale="en-GB")
    officer = context.new_page()
    staff_sign_in(officer, origin, add_staff(env, "officer"))
    officer.goto(f"{origin}/console/applications/{reference}")
    officer.get_by_role("heading", name=f"Objection from {NAME}").wait_for()
    assert axe_violations(officer) == []
    officer.get_by_role("button", name="Publish redacted").click()
    officer.get_by_text("The representation is published, redacted").wait_for()
    assert representations(env, reference) == [(NAME, ADDRESS, "published")]
    officer.goto(f"{origin}/console/applications/{reference}/representations/print")
    assert NAME in officer.content()
    assert axe_violations(officer) == []

    public = context.new_page()
    public.goto(f"{origin}/a/{reference}")
    public.get_by_text(TEXT).wait_for()
    html = public.content()
    assert "Greek Street" in html  # the street, as the council's policy says
    for secret in (NAME, "Flat 3", "41 Greek Street", "W1D 4EH", email):
        assert secret not in html
    assert "1 published: 1 objection" in html
    assert axe_violations(public) == []
    context.close()


def import_rows(env: dict, rows: list[dict], regime: str) -> None:
    from tests.applications.conftest import LICENSING_COLUMNS

    with tempfile.TemporaryDirectory() as folder:
        file = f"{folder}/rows.csv"
        with open(file, "w") as out:
            out.write(csv_text(rows, LICENSING_COLUMNS) if regime == "licensing" else csv_text(rows))
        subprocess.run([sys.executable, "-m", "reportit.cli", "applications", "import", file, "--regime", regime],
                       env={**os.environ, **env}, cwd=ROOT, check=True, capture_output=True, timeout=120)


def test_a_licensing_representation_that_arrives_too_late_is_kept_with_the_explanation(phone, mailbox, account_server):
    _origin, env, _proxy = account_server
    today = date.today()
    reference = f"26/{os.urandom(2).hex().upper()}/LIPN"
    row = {"reference": reference, "application-type": "new-premises", "address": "The Crown, 5 Frith Street, London W1",
           "latitude": "51.5136", "longitude": "-0.1320", "status": "under consultation",
           "start-date": (today - timedelta(days=27)).isoformat(), "end-date": today.isoformat(),
           "description": "Bar open until 02:00"}
    import_rows(env, [row], "licensing")

    page = phone("late")
    sign_in(page, mailbox, new_email())
    page.goto(f"/applications?reference={quote(reference, safe='')}")
    page.get_by_role("heading", level=1, name=row["address"]).wait_for()
    page.context.set_offline(True)
    page.get_by_role("button", name="Comment on this application").click()
    page.get_by_label("I object").check()
    page.get_by_label("The prevention of public nuisance").check()
    page.fill("#rep-text", "Noise at closing time every night.")
    page.fill("#rep-name", NAME)
    page.fill("#rep-address", ADDRESS)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Send my representation").click()
    page.locator("#rep-queued").wait_for()

    # The council's deadline passes while the phone has no signal (the register says it closed yesterday).
    import_rows(env, [{**row, "start-date": (today - timedelta(days=29)).isoformat(),
                       "end-date": (today - timedelta(days=1)).isoformat()}], "licensing")
    page.click("#rep-queued a")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    item = page.locator("li.item", has_text=f"Comment on application {reference}")
    item.get_by_text("Needs your attention").wait_for()
    assert "by law the council cannot accept representations after it" in item.inner_text()
    assert representations(env, reference) == []
    assert axe_violations(page) == []
    page.reload()  # kept for the resident to read, until they delete it
    page.locator("li.item", has_text=f"Comment on application {reference}").get_by_text("cannot accept").wait_for()


def test_a_phone_not_signed_in_confirms_its_email_with_a_code_and_sees_the_servers_preview(phone, mailbox, account_server):
    from tests.e2e.account_journey import code_to

    _origin, env, _proxy = account_server
    today = date.today()
    reference = f"26/{os.urandom(2).hex().upper()}/FULL"
    import_rows(env, [planning_row(reference, **{"address-text": "3 Old Compton Street, London W1",
                                                 "start-date": today.isoformat(),
                                                 "end-date": (today + timedelta(days=21)).isoformat()})], "planning")
    page = phone("code")
    email = new_email()
    page.goto(f"/applications?reference={quote(reference, safe='')}")
    page.get_by_role("heading", level=1, name="3 Old Compton Street, London W1").wait_for()
    page.get_by_role("button", name="Comment on this application").click()
    page.get_by_label("I support it").check()
    page.fill("#rep-text", "A good use of an empty shop.")
    page.fill("#rep-name", NAME)
    page.fill("#rep-address", ADDRESS)
    page.fill("#rep-email", email)
    before = mailbox.count(email)
    page.get_by_role("button", name="Email me a code").click()
    page.locator("#rep-code-status").get_by_text(f"We sent a code to {email}").wait_for()
    page.fill("#rep-code", code_to(mailbox, email, before))
    page.get_by_role("button", name="Preview").click()
    panel = page.locator("#rep-preview-panel")
    panel.get_by_text("never your name, full address or email").wait_for()
    assert panel.locator("#rep-published").inner_text().startswith("Support from Greek Street")
    assert "your address as “Greek Street”" in panel.locator("#rep-applicant").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send my representation").click()
    poll(lambda: representations(env, reference) == [(NAME, ADDRESS, "waiting")], message="not received")
