"""My Account in the resident app, the way residents use it: report anonymously, sign in with the code
from a real email, see one history on every phone, get the same pushes, keep the outbox on sign-out,
read the last known state offline, and delete the account with the phrase."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from reportit.accounts.erase import DELETED, KEPT
from reportit.reports.references import spoken
from tests.e2e import account_journey
from tests.e2e.account_journey import change_status, code_to, new_email, sign_in
from tests.e2e.conftest import axe_violations, poll, server_reports, store
from tests.e2e.journey import fill_report, send, sent_reference

mailbox = account_journey.mailbox
receiver = account_journey.receiver
push_service = account_journey.push_service
account_server = account_journey.account_server
phone = account_journey.phone

MESSAGE = "An inspector is on the way."
# Each part of "Download my data" and the words "Your data" says it with.
DOWNLOAD_WORDS = {"account": "your details", "saved_places": "saved places", "devices": "phones",
                  "push_subscriptions": "notifications", "reports": "reports", "follows": "follows",
                  "alerts": "alerts", "representations": "comments on planning and licensing applications",
                  "notifications": "updates", "alert_notifications": "alerts sent to you",
                  "account_history": "history"}


def assert_accessible(page, screen: str) -> None:
    assert axe_violations(page) == [], f"axe found problems on {screen}"


def report_from(page, description: str) -> str:
    fill_report(page, description=description)
    send(page)
    return sent_reference(page)


def test_a_second_phone_shows_the_first_phones_report_and_both_get_the_push(phone, mailbox, push_service, account_server):
    _origin, env, _proxy = account_server
    a = phone("phone-a")
    reference = report_from(a, "Paint on the wall by the bus stop")  # anonymous first: no account asked for
    a.get_by_role("heading", name="Get updates about this report?").wait_for()
    a.click("#get-updates")
    a.get_by_text("You will get a notification when the council updates this report.").wait_for()

    email = new_email()
    sign_in(a, mailbox, email)
    b = phone("phone-b")
    sign_in(b, mailbox, email)
    b.click("#notify-this-phone")
    expect(b.locator("#notifications-status")).to_have_text(re.compile("This phone gets a notification"))

    b.goto("/mine")
    item = b.locator(".item", has_text=spoken(reference))
    expect(item).to_contain_text("from another phone")
    expect(b.locator("#my-reports-note")).to_have_text("Up to date.")

    change_status(env, reference, "investigating", MESSAGE)
    for name in ("phone-a", "phone-b"):
        [received] = poll(lambda name=name: push_service.delivered(name), message=f"no push to {name}")
        assert received.payload["notification"]["body"] == MESSAGE
        assert received.payload["notification"]["tag"] == f"report-{reference}"
    b.reload()
    expect(b.locator(".item", has_text=spoken(reference)).locator(".tag")).to_have_text("Investigating")


def test_sign_in_by_keyboard_with_the_servers_messages_and_every_screen_passes_axe(phone, mailbox):
    page = phone()
    email = new_email()
    page.goto("/account")
    page.get_by_role("heading", name="My Account").wait_for()
    assert_accessible(page, "my account (signed out)")
    tab_to(page, "#email")
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your email").wait_for()
    expect(page.get_by_text(f"Enter the 6-digit code we sent to {email}.")).to_be_visible()
    code_input = page.locator("#code")
    assert code_input.get_attribute("inputmode") == "numeric"
    assert code_input.get_attribute("autocomplete") == "one-time-code"
    assert_accessible(page, "code entry")
    code = code_to(mailbox, email)

    wrong = "000000" if code != "000000" else "111111"
    tab_to(page, "#code")
    page.keyboard.type(wrong)
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_contain_text("That code is not right. Check the email and try again: 4 tries left.")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page, "code entry with an error")

    # "Send a new code": the first code stops working, the newest works.
    tab_to(page, "#send-new-code")
    page.keyboard.press("Enter")
    expect(page.locator("#code-sent")).to_have_text(f"We sent a new code to {email}. Use the newest email.")
    newest = code_to(mailbox, email, 1)
    page.fill("#code", "")
    tab_to(page, "#code")
    page.keyboard.type(newest)
    page.keyboard.press("Enter")
    page.locator("#main").get_by_text(f"Signed in as {email}").wait_for()
    assert_accessible(page, "my account (signed in)")

    for screen, heading in (("profile", "Your details"), ("devices", "Phones and browsers signed in"),
                            ("data", "Your data"), ("delete", "Delete your account"),
                            ("email", "Change your email address")):
        page.goto(f"/account?screen={screen}")
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        assert_accessible(page, screen)


def test_staff_keep_their_password_sign_in(phone):
    page = phone()
    page.goto("/account")
    page.get_by_role("link", name="Council staff? Sign in with your password").click()
    page.get_by_role("heading", name="Staff sign-in").wait_for()
    expect(page.locator("#password")).to_have_attribute("type", "password")


def tab_to(page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_signing_in_offline_says_it_needs_a_connection(phone):
    page = phone()
    page.goto("/account")
    page.get_by_role("heading", name="My Account").wait_for()
    page.context.set_offline(True)
    page.fill("#email", new_email())
    page.get_by_role("button", name="Send me a code").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "You're offline. Signing in needs a connection: try again when you have signal.")


def test_profile_fills_in_the_contact_step_and_devices_list_this_phone(phone, mailbox):
    page = phone()
    email = new_email()
    sign_in(page, mailbox, email)
    page.goto("/account?screen=profile")
    page.fill("#name", "Sam Resident")
    page.fill("#phone", "07700 900 982")
    page.fill("#place-0-address", "12 Horseferry Road")
    page.click("#place-0-locate")
    expect(page.locator("#place-0-status")).to_contain_text("Saved your location")
    page.get_by_role("button", name="Save your details").click()
    page.locator("#main").get_by_text(f"Signed in as {email}").wait_for()
    expect(page.locator(".summary")).to_contain_text("Sam Resident")
    expect(page.locator(".summary")).to_contain_text("Home: 12 Horseferry Road")

    # A bad phone number: the server's message, on the field.
    page.goto("/account?screen=profile")
    page.fill("#phone", "call me")
    page.get_by_role("button", name="Save your details").click()
    expect(page.locator("#phone-error")).to_be_visible()

    fill_report_to_contact(page)
    assert page.input_value("#contact-name") == "Sam Resident"
    assert page.input_value("#contact-email") == email
    assert page.input_value("#contact-phone") == "07700 900 982"

    page.goto("/account?screen=devices")
    item = page.locator("#devices .item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("(this phone)")
    expect(item).to_contain_text("First seen")
    expect(item).to_contain_text("Last seen")


def fill_report_to_contact(page) -> None:
    from tests.e2e.journey import continue_, start_report

    start_report(page, "pothole")
    page.locator("input[name=danger][value=no]").check()
    continue_(page)
    page.wait_for_url("**/report/photos")
    continue_(page)
    page.click("#use-device-location")
    page.locator("#location-found .notice").wait_for()
    continue_(page)
    page.fill("#description", "A deep pothole")
    continue_(page)
    page.wait_for_url("**/report/contact")


def test_sign_out_keeps_a_report_waiting_to_be_sent_and_it_is_sent_later(phone, mailbox, account_server):
    _origin, _env, proxy = account_server
    page = phone()
    sign_in(page, mailbox, new_email())
    proxy.fail("POST", "/api/reports", 503, count=1000)  # the council's server is down: the report waits
    fill_report(page, description="Overflowing bin")
    client_id = send(page)
    poll(lambda: [i for i in store(page, "outbox") if i["client_id"] == client_id and i.get("attempts", 0) >= 1],
         message="the report was never tried")

    page.goto("/account")
    page.get_by_role("button", name="Sign out on this phone").click()
    page.get_by_role("button", name="Send me a code").wait_for()
    assert [i["client_id"] for i in store(page, "outbox")] == [client_id]

    proxy.reset()  # the server is back
    page.reload()
    poll(lambda: not store(page, "outbox"), message="the report kept after sign-out was never sent")
    origin = account_server[0]
    assert [r["description"] for r in server_reports(page, origin)] == ["Overflowing bin"]


def test_the_account_screen_offline_shows_the_last_known_state(phone, mailbox):
    page = phone()
    email = new_email()
    sign_in(page, mailbox, email)
    page.context.set_offline(True)
    page.goto("/account")
    expect(page.locator("#offline-notice")).to_contain_text("You're offline: showing what this phone knew on")
    expect(page.locator("#main").get_by_text(f"Signed in as {email}")).to_be_visible()


def _saved_my_reports(page) -> bool:
    return page.evaluate("caches.open('reportit-runtime').then((c) => c.match('/api/me/reports')).then(Boolean)")


def test_delete_my_account_with_the_phrase(phone, mailbox):
    email = new_email()
    a = phone()
    sign_in(a, mailbox, email)
    b = phone()
    theirs = report_from(b, "Broken street light")
    sign_in(b, mailbox, email)
    a.goto("/mine")
    expect(a.locator(".item", has_text=spoken(theirs))).to_be_visible()
    assert _saved_my_reports(a), "the worker keeps My reports for offline use"

    a.goto("/account?screen=delete")
    for line in DELETED:
        expect(a.locator("#what-is-deleted")).to_contain_text(line)
    for line in KEPT:
        expect(a.locator("#what-is-kept")).to_contain_text(line)
    a.fill("#confirm", "delete")
    a.get_by_role("button", name="Delete my account").click()
    expect(a.locator("#confirm-error")).to_contain_text('Type "delete my account" to confirm. Nothing has been deleted.')
    a.fill("#confirm", "delete my account")
    a.get_by_role("button", name="Delete my account").click()
    a.get_by_role("heading", name="Your account is deleted").wait_for()
    assert_accessible(a, "account deleted")
    # The worker's offline copy of the account's reports (other phones' too) went with it.
    assert not _saved_my_reports(a)

    a.goto("/account")
    a.get_by_role("button", name="Send me a code").wait_for()
    a.goto("/mine")
    expect(a.locator("#my-reports")).to_be_visible()
    expect(a.locator(".item", has_text=spoken(theirs))).to_have_count(0)


def test_download_my_data_saves_the_json_file(phone, mailbox):
    page = phone()
    email = new_email()
    sign_in(page, mailbox, email)
    page.goto("/account?screen=data")
    with page.expect_download() as download:
        page.click("#download-json")
    assert download.value.suggested_filename.endswith(".json")
    data = json.loads(open(download.value.path()).read())
    assert data["account"]["email"] == email
    expect(page.locator("#download-status")).to_contain_text("Saved as")
    # The screen names every part of the download, in words.
    said = page.locator("#data-contents").inner_text()
    assert set(data) - {"exported_at", "service"} == set(DOWNLOAD_WORDS)
    for part, words in DOWNLOAD_WORDS.items():
        assert words in said, f"the screen does not say the download holds {part}: {said}"


def test_email_change_is_confirmed_by_a_code_sent_to_the_new_address(phone, mailbox):
    page = phone()
    old, new = new_email(), new_email()
    sign_in(page, mailbox, old)
    page.goto("/account")
    page.get_by_role("link", name="Change email address").click()
    page.fill("#email", new)
    page.get_by_role("button", name="Send a code").click()
    page.get_by_role("heading", name="Confirm your new email address").wait_for()
    expect(page.get_by_text(f"Enter the 6-digit code we sent to {new}.")).to_be_visible()
    page.fill("#code", code_to(mailbox, new))
    page.get_by_role("button", name="Confirm").click()
    page.locator("#main").get_by_text(f"Signed in as {new}").wait_for()


def test_too_many_codes_shows_the_servers_message(phone, account_server):
    _origin, _env, proxy = account_server
    page = phone()
    detail = "We have just sent several codes to this address. Use the newest email, or ask again in 10 minutes."
    proxy.fail("POST", "/api/me/sign-in", 429, body={"title": "Too many codes", "status": 429, "detail": detail},
               headers={"Retry-After": "600"})
    page.goto("/account")
    page.fill("#email", new_email())
    page.get_by_role("button", name="Send me a code").click()
    expect(page.locator(".error-summary")).to_contain_text(detail)
    expect(page.locator("#email-error")).to_contain_text(detail)


def test_after_deleting_the_account_the_phone_keeps_its_push_subscription(phone, mailbox, account_server):
    """Erasing the account deletes its phones' subscriptions; this phone stays, with notifications
    allowed, so its next reports must still be pushed to it."""
    _origin, env, _proxy = account_server
    a = phone("phone-after-delete")
    sign_in(a, mailbox, new_email())
    a.click("#notify-this-phone")
    expect(a.locator("#notifications-status")).to_have_text(re.compile("This phone gets a notification"))
    assert _subscriptions(env, "phone-after-delete") == 1

    # Through the app's own links: a reload would lose the test's stand-in push subscription.
    a.get_by_role("link", name="Download my data, or delete my account").click()
    a.get_by_role("link", name="Delete my account").click()
    a.fill("#confirm", "delete my account")
    a.get_by_role("button", name="Delete my account").click()
    a.get_by_role("heading", name="Your account is deleted").wait_for()
    assert poll(lambda: _subscriptions(env, "phone-after-delete") == 1, timeout=10,
                message="the phone's subscription was not given back after the erasure")


def _subscriptions(env: dict, name: str) -> int:
    import sqlite3

    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
        return db.execute("SELECT count(*) FROM push_subscription WHERE endpoint LIKE ?", (f"%{name}%",)).fetchone()[0]
