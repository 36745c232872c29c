"""Comments on applications the resident's way, where they went wrong before: a wrong code is put
right from the Outbox (what was written is shown, a new code typed) and sent once; so is a comment
or licensing objectives the council refused, changed in the Outbox by keyboard; the form empties
after Send, so it cannot be sent twice; the words for a comment (not a report) in the live region;
the application opens with no signal from the Outbox; a new version's "Reload" waits while a comment
is being written, but not while the applications list's filter has typing in it; the Outbox's
deadline day is the phone's day just after midnight in summer time; changing an alert with no signal
says so; following an application leaves keyboard focus on the news."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote

from tests.applications.conftest import planning_row
from tests.e2e import account_journey
from tests.e2e.account_journey import code_to, new_email, sign_in
from tests.e2e.conftest import axe_violations, check_for_update, poll, store, wait_for_service_worker
from tests.e2e.test_pwa_lifecycle import NEW_VERSION_WAITING
from tests.e2e.test_representations_journey import ADDRESS, NAME, import_rows, representations

mailbox = account_journey.mailbox
receiver = account_journey.receiver
push_service = account_journey.push_service
account_server = account_journey.account_server
phone = account_journey.phone

TEXT = "The extractor fan would face our kitchen window."


def open_application(env: dict, page, address: str, closes: date | None = None, start: date | None = None) -> str:
    today = date.today()
    reference = f"26/{os.urandom(2).hex().upper()}/FULL"
    import_rows(env, [planning_row(reference, **{"address-text": address,
                                                 "start-date": (start or today - timedelta(days=3)).isoformat(),
                                                 "end-date": (closes or today + timedelta(days=14)).isoformat()})], "planning")
    page.goto(f"/applications?reference={quote(reference, safe='')}")
    page.get_by_role("heading", level=1, name=address).wait_for()
    return reference


def write_comment(page, email: str = "", code: str = "") -> None:
    page.get_by_role("button", name="Comment on this application").click()
    page.get_by_label("I object").check()
    page.fill("#rep-text", TEXT)
    page.fill("#rep-name", NAME)
    page.fill("#rep-address", ADDRESS)
    if email:
        page.fill("#rep-email", email)
    if code:
        page.fill("#rep-code", code)


def refused_for_a_mistyped_code(page, env: dict, mailbox, address: str):
    """A comment on a new application sent with a mistyped code, refused: its reference, the
    resident's email and its item in the Outbox."""
    reference = open_application(env, page, address)
    email = new_email()
    write_comment(page, email)
    before = mailbox.count(email)
    page.get_by_role("button", name="Email me a code").click()
    right = code_to(mailbox, email, before)
    page.fill("#rep-code", f"{(int(right) + 1) % 1_000_000:06d}")  # mistyped
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Send my representation").click()
    page.click("#rep-queued a")
    item = page.locator("li.item", has_text=f"Comment on application {reference}")
    item.get_by_text("Needs your attention").wait_for()
    return reference, email, item


def test_a_wrong_code_is_put_right_from_the_outbox_and_the_comment_is_sent_once(phone, mailbox, account_server):
    _origin, env, proxy = account_server
    page = phone("wrong-code")
    reference, email, item = refused_for_a_mistyped_code(page, env, mailbox, "7 Wardour Street, London W1")
    assert "That code is not right" in item.inner_text()
    assert TEXT in item.inner_text()  # what the resident wrote is not lost
    assert representations(env, reference) == []
    assert axe_violations(page) == []

    before = mailbox.count(email)
    item.get_by_role("button", name="Email me a new code").click()
    item.get_by_text(f"We sent a new code to {email}").wait_for()
    item.get_by_label("The 6-digit code from the newest email").fill(code_to(mailbox, email, before))
    item.get_by_role("button", name="Send my comment again").dblclick()  # a double tap saves it once
    poll(lambda: representations(env, reference) == [(NAME, ADDRESS, "waiting")], message="never sent")
    page.locator("#outbox-list").get_by_text("Nothing is waiting to be sent.").wait_for()
    path = f"/api/applications/{reference}/representations"
    assert [s for s in proxy.statuses("POST", path) if s < 300] == [201]  # sent once


def test_a_comment_refused_for_its_code_goes_without_one_once_the_phone_signs_in(phone, mailbox, account_server):
    """A signed-in phone needs no code (the account's address is confirmed): a comment stuck on a
    code must not go on asking for one after the resident signs in."""
    _origin, env, proxy = account_server
    page = phone("code-then-sign-in")
    reference, email, _item = refused_for_a_mistyped_code(page, env, mailbox, "9 Wardour Street, London W1")

    sign_in(page, mailbox, email)
    page.goto("/outbox")
    item = page.locator("li.item", has_text=f"Comment on application {reference}")
    item.get_by_text(f"This phone is now signed in as {email}").wait_for()
    assert item.get_by_label("The 6-digit code from the newest email").count() == 0
    assert axe_violations(page) == []
    item.get_by_role("button", name="Send my comment again").click()
    poll(lambda: representations(env, reference) == [(NAME, ADDRESS, "waiting")], message="never sent")
    path = f"/api/applications/{reference}/representations"
    assert [s for s in proxy.statuses("POST", path) if s < 300] == [201]


def test_a_comment_written_with_no_signal_waits_for_its_code_in_the_outbox(phone, mailbox, account_server):
    """No code can be emailed with no signal: the comment is still written and kept, and the Outbox
    asks for the code once there is a signal (the form used to refuse to go on without one)."""
    _origin, env, proxy = account_server
    page = phone("offline-no-code")
    reference = open_application(env, page, "11 Wardour Street, London W1")
    email = new_email()
    page.context.set_offline(True)
    write_comment(page, email)
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_text("You can still write your comment and keep it in your Outbox").wait_for()
    page.get_by_role("button", name="Preview").click()
    page.locator("#rep-code-later").wait_for()
    page.get_by_role("button", name="Send my representation").click()
    page.locator("#rep-queued").wait_for()

    page.context.set_offline(False)
    page.goto("/outbox")
    item = page.locator("li.item", has_text=f"Comment on application {reference}")
    page.get_by_role("button", name="Try sending now").click()
    item.get_by_role("button", name="Email me a new code").wait_for(timeout=30000)
    assert TEXT in item.inner_text()
    before = mailbox.count(email)
    item.get_by_role("button", name="Email me a new code").click()
    item.get_by_label("The 6-digit code from the newest email").fill(code_to(mailbox, email, before))
    item.get_by_role("button", name="Send my comment again").click()
    poll(lambda: representations(env, reference) == [(NAME, ADDRESS, "waiting")], message="never sent")
    path = f"/api/applications/{reference}/representations"
    assert [s for s in proxy.statuses("POST", path) if s < 300] == [201]


def test_a_comment_being_written_survives_leaving_the_screen_and_is_forgotten_once_sent(phone, mailbox,
                                                                                          account_server):
    _origin, env, _proxy = account_server
    page = phone("comment-draft")
    reference = open_application(env, page, "13 Wardour Street, London W1")
    write_comment(page, new_email())
    page.goto("/")  # called away: another screen, a reload, the app closed
    page.goto(f"/applications?reference={quote(reference, safe='')}")
    page.locator("#rep-draft-back").wait_for()
    assert page.locator("#rep-text").input_value() == TEXT
    assert page.locator("#rep-address").input_value() == ADDRESS
    assert page.get_by_label("I object").is_checked()
    assert axe_violations(page) == []

    page.context.set_offline(True)  # no code can be had: it goes to the Outbox to wait for one
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Send my representation").click()
    page.locator("#rep-queued").wait_for()
    page.goto("/")
    page.goto(f"/applications?reference={quote(reference, safe='')}")
    page.get_by_role("button", name="Comment on this application").wait_for()
    assert page.locator("#rep-draft-back").count() == 0
    assert page.locator("#rep-text").input_value() == ""


def written(env: dict, reference: str) -> list[tuple]:
    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
        return [(text, json.loads(grounds)) for text, grounds in db.execute(
            "SELECT text, grounds FROM application_representation WHERE reference = ?", (reference,))]


OBJECTIVES = ("A licensing representation must relate to at least one of the four licensing objectives: the "
              "prevention of crime and disorder, public safety, the prevention of public nuisance, or the protection "
              "of children from harm. Choose the ones your representation is about.")


def test_a_refused_comment_and_objectives_are_put_right_from_the_outbox_by_keyboard_and_sent_once(
        phone, mailbox, account_server):
    _origin, env, proxy = account_server
    page = phone("put-right")
    sign_in(page, mailbox, new_email())
    today = date.today()
    reference = f"26/{os.urandom(2).hex().upper()}/LIPN"
    address = "The Dog and Duck, 18 Bateman Street, London W1"
    import_rows(env, [{"reference": reference, "application-type": "new-premises", "address": address,
                       "latitude": "51.5136", "longitude": "-0.1320", "status": "under consultation",
                       "start-date": (today - timedelta(days=3)).isoformat(),
                       "end-date": (today + timedelta(days=20)).isoformat(), "description": "Music until 01:00"}],
                "licensing")
    page.goto(f"/applications?reference={quote(reference, safe='')}")
    page.get_by_role("heading", level=1, name=address).wait_for()
    path = f"/api/applications/{reference}/representations"
    # The council refuses it as an older version of the app sent it: no objective, and words it cannot take.
    proxy.fail("POST", path, 422, body={"title": "Please check your representation", "status": 422, "errors": [
        {"field": "grounds", "message": OBJECTIVES},
        {"field": "text", "message": "Write what you want to say about the application."}]})
    page.get_by_role("button", name="Comment on this application").click()
    page.get_by_label("I object").check()
    page.get_by_label("The prevention of public nuisance").check()
    page.fill("#rep-text", TEXT)
    page.fill("#rep-name", NAME)
    page.fill("#rep-address", ADDRESS)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Send my representation").click()
    page.click("#rep-queued a")

    item = page.locator("li.item", has_text=f"Comment on application {reference}")
    item.get_by_text("Needs your attention").wait_for()
    fix = item.get_by_role("form", name="Put it right and send it again")
    assert fix.get_by_label("Your comments").input_value() == TEXT  # as written, to change
    assert fix.get_by_label("The prevention of public nuisance").is_checked()
    assert "licensing objectives" in fix.inner_text()
    assert representations(env, reference) == []
    assert axe_violations(page) == []

    fix.get_by_label("Your comments").focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Music until 01:00 will carry into our bedrooms.")
    page.keyboard.press("Tab")  # out of the comment: nothing is redrawn under the resident
    fix.get_by_label("The protection of children from harm").focus()
    page.keyboard.press("Space")
    fix.get_by_role("button", name="Send my comment again").focus()
    page.keyboard.press("Enter")

    poll(lambda: representations(env, reference) == [(NAME, ADDRESS, "waiting")], message="never sent")
    assert written(env, reference) == [("Music until 01:00 will carry into our bedrooms.",
                                        ["public_nuisance", "children"])]
    page.locator("#outbox-list").get_by_text("Nothing is waiting to be sent.").wait_for()
    assert [s for s in proxy.statuses("POST", path)] == [422, 201]  # refused, then sent once
    assert page.evaluate("document.activeElement.tagName") == "H1"


def test_the_form_empties_after_send_the_comment_is_announced_and_its_application_opens_offline(phone, mailbox, account_server):
    _origin, env, _proxy = account_server
    page = phone("once")
    sign_in(page, mailbox, new_email())
    address = "19 Frith Street, London W1"
    reference = open_application(env, page, address)

    page.locator("#application-follow").focus()  # by keyboard
    page.keyboard.press("Enter")
    page.locator("#application-alerts-status").get_by_text("You will get alerts").wait_for()
    assert page.evaluate("document.activeElement.id") == "application-alerts-status"
    assert axe_violations(page) == []

    page.context.set_offline(True)
    write_comment(page)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Send my representation").click()
    page.locator("#rep-queued").wait_for()
    page.get_by_role("button", name="Comment on this application").click()  # opened again
    assert page.locator("#rep-text").input_value() == ""
    assert not page.locator("input[name='rep-sentiment']:checked").count()
    assert len(store(page, "outbox")) == 1

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    poll(lambda: page.locator("#announcer").inner_text() == f"Your comment on {reference} has reached the council.",
         message="the live region never said the comment was sent")
    assert representations(env, reference) == [(NAME, ADDRESS, "waiting")]

    page.locator(".site-nav a[href='/outbox']").click()
    page.get_by_role("heading", level=2, name="Sent recently").wait_for()
    page.context.set_offline(True)
    page.get_by_role("link", name=reference).click()
    page.get_by_role("heading", level=1, name=address).wait_for()


def test_a_new_version_waits_while_a_comment_is_being_written(app_context, server_env, new_version):
    page = app_context().new_page()
    page.goto("/")
    wait_for_service_worker(page)
    open_application(server_env, page, "4 Meard Street, London W1")
    page.get_by_role("button", name="Comment on this application").click()
    page.fill("#rep-text", TEXT)

    new_version()
    check_for_update(page)
    poll(lambda: page.evaluate(NEW_VERSION_WAITING), message="the new version was never installed")
    assert page.locator("#update-banner").is_hidden()  # no "Reload" offered over the comment
    assert page.locator("#rep-text").input_value() == TEXT

    page.locator(".site-nav a[href='/outbox']").click()  # the resident leaves the form
    page.locator("#update-banner").wait_for()


def test_a_new_version_is_offered_while_the_applications_filter_has_typing_in_it(app_context, server_env, new_version):
    # A filter keeps nothing worth losing: only forms of work (the comment above, a report) hold "Reload".
    page = app_context().new_page()
    page.goto("/")
    wait_for_service_worker(page)
    page.goto("/applications")
    page.get_by_role("heading", level=1, name="Planning and licensing applications near you").wait_for()
    page.get_by_text("Filter the list").click()
    page.select_option("#regime", "planning")
    page.fill("#find-reference", "26/00044")  # typing in the "Know the reference?" search, not sent

    new_version()
    check_for_update(page)
    poll(lambda: page.evaluate(NEW_VERSION_WAITING), message="the new version was never installed")
    page.locator("#update-banner").wait_for()
    assert page.locator("#find-reference").input_value() == "26/00044"  # still on the list, nothing sent


def test_just_after_midnight_in_summer_time_the_outbox_gives_the_phones_day(app_context, server_env):
    # 00:30 on 15 June 2027 in London is still 14 June in UTC; the consultation closes on 16 June.
    context = app_context(timezone_id="Europe/London")
    context.clock.set_fixed_time(datetime(2027, 6, 14, 23, 30, tzinfo=timezone.utc))
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    open_application(server_env, page, "8 Bateman Street, London W1", closes=date(2027, 6, 16))
    assert "close tomorrow" in page.locator("#application-deadline").inner_text()

    page.context.set_offline(True)
    write_comment(page, email=new_email(), code="123456")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Send my representation").click()
    page.click("#rep-queued a")
    item = page.locator("li.item", has_text="Comment on application")
    item.get_by_text("The deadline is").wait_for()
    assert "The deadline is tomorrow" in item.inner_text()


def test_changing_an_alert_with_no_signal_says_so(phone, account_server):
    page = phone("alert-offline")
    page.goto("/alerts?screen=new")
    page.get_by_role("heading", name="Add an alert").wait_for()
    page.get_by_role("button", name="Use where I am now").click()
    poll(lambda: page.locator("#alert-latitude").input_value() == "51.4975")
    page.get_by_role("button", name="Save alert").click()
    page.locator(".alert-list").wait_for()

    page.context.set_offline(True)
    page.locator(".alert-list a", has_text="Change").first.click()
    page.get_by_role("heading", name="Change an alert").wait_for()
    assert "No signal" in page.locator("#main").inner_text()
    assert "could not be found" not in page.locator("#main").inner_text()
    assert axe_violations(page) == []
