"""What a reviewer found using the app as residents and wardens, each put right: an application's
screen printed "null"; My reports listed comments on applications as reports and counted a waiting
comment as a report; a warden offline had no "Report another here"; the Sent screen said "Sending
your report" and an old "could not take it" while the photos of a received report went on; and
"Get alerts" / "follow it" promised news that could not reach a phone with notifications off."""

from __future__ import annotations

import re

import pytest

from tests.e2e import account_journey
from tests.e2e.account_journey import code_to, new_email, sign_in
from tests.e2e.conftest import WESTMINSTER, axe_violations, poll, store, wait_for_service_worker
from tests.e2e.journey import continue_, fill_report, send, sent_reference, start_report
from tests.e2e.test_console_journeys import add_staff
from tests.e2e.test_representations_outbox import open_application, write_comment
from tests.e2e.test_warden_report_another import PLACE, sign_in_on_the_phone

mailbox = account_journey.mailbox
receiver = account_journey.receiver
push_service = account_journey.push_service
account_server = account_journey.account_server
phone = account_journey.phone

NO_NOTIFICATIONS = ["geolocation", "background-sync"]  # notifications not allowed


def test_an_application_screen_prints_no_null(app_context, server_env):
    page = app_context().new_page()
    page.goto("/")
    wait_for_service_worker(page)
    open_application(server_env, page, "3 Poland Street, London W1")
    page.locator("#application-history li").first.wait_for()
    page.locator("#application-comment").wait_for()
    printed = page.evaluate("""() => { const main = document.querySelector('#main').cloneNode(true);
      const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
      const words = [];
      while (walker.nextNode()) words.push(walker.currentNode.nodeValue.trim());
      return words.filter((word) => /\\b(null|undefined)\\b/.test(word)); }""")
    assert printed == []


def test_my_reports_leaves_comments_out_and_counts_only_reports_waiting(phone, mailbox, account_server):
    _origin, env, _proxy = account_server
    page = phone("mine-comments")
    sign_in(page, mailbox, new_email())
    reference = open_application(env, page, "21 Old Compton Street, London W1")
    page.context.set_offline(True)
    write_comment(page)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Send my representation").click()
    page.locator("#rep-queued").wait_for()

    page.locator(".site-nav a[href='/mine']").click()
    page.get_by_role("heading", level=1, name="My reports").wait_for()
    page.locator("#my-reports").get_by_text("1 comment is waiting to be sent").wait_for()
    assert "report is waiting" not in page.locator("#my-reports").inner_text()
    page.locator(".site-header__name").click()
    page.get_by_text("1 comment is waiting to be sent").wait_for()
    assert "report is waiting" not in page.locator("#main").inner_text()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    poll(lambda: any(s["report"].get("kind") == "representation" for s in store(page, "sent")),
         message="the comment was never sent")
    page.locator(".site-nav a[href='/mine']").click()
    page.get_by_role("heading", level=1, name="My reports").wait_for()
    page.locator("#my-reports").get_by_text("You have not sent any reports from this phone yet").wait_for()
    shown = page.locator("#my-reports").inner_text()
    assert "Open the report page" not in shown and reference not in shown, shown
    assert page.locator("#my-reports li.item").count() == 0


@pytest.fixture(scope="module")
def warden(live_server, server_env) -> str:
    return add_staff(server_env, "warden")


def test_a_warden_offline_can_report_another_here(app_context, warden):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    sign_in_on_the_phone(page, warden)
    context.set_offline(True)
    fill_report(page, "graffiti", place=PLACE, description="Tag on the arch, no signal")
    send(page)
    page.get_by_role("heading", name="Report saved on this phone").wait_for()
    assert page.get_by_role("link", name="Report another problem").is_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Report another here").focus()  # by keyboard
    page.keyboard.press("Enter")
    page.wait_for_url("**/report/questions")
    page.locator("input[name=offensive][value=no]").check()
    continue_(page)
    page.wait_for_url("**/report/photos")
    continue_(page)
    page.wait_for_url("**/report/location")
    assert page.input_value("#location-text") == PLACE


def test_the_sent_screen_says_received_while_photos_go_and_hides_an_old_error(app_context, proxy, photo_files):
    # The report goes through; its first photo part is refused once (an error kept on the item),
    # then every part is held, as on a link too slow to carry it.
    proxy.fail("PATCH", "/api/reports/*", 503, count=1)
    proxy.hold("PATCH", "/api/reports/*", 60, count=1000)
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, photos=photo_files(2), description="Three bags by the lamp post")
    client_id = send(page)

    def sending_again():
        items = [i for i in store(page, "outbox") if i["client_id"] == client_id]
        return items and items[0]["state"] == "sending" and items[0]["last_error"] and items[0].get("parts", {}).get("reference")
    item = poll(lambda: sending_again() and store(page, "outbox")[0], message="the photos were never sent again")
    assert 503 in proxy.statuses("PATCH", f"/api/reports/{item['parts']['reference']}/photos/{item['parts']['hashes'][0]}")
    readable = f"{item['parts']['reference'][:4]}-{item['parts']['reference'][4:]}"
    page.get_by_role("heading", level=1, name="Report received by the council").wait_for()
    assert page.locator(".reference").inner_text() == readable
    words = page.locator("#sending-status").inner_text()
    assert re.search(r"The council has your report\. [01] of 2 photos sent", words), words
    assert "Sending your report" not in words
    assert item["last_error"] not in page.locator("#main").inner_text()
    assert axe_violations(page) == []
    proxy.release()


def test_alerts_about_an_application_say_how_they_reach_a_phone_without_notifications(app_context, server_env):
    page = app_context(permissions=NO_NOTIFICATIONS).new_page()
    page.goto("/")
    wait_for_service_worker(page)
    open_application(server_env, page, "5 Broadwick Street, London W1")
    page.get_by_role("button", name="Get alerts about this application").click()
    news = page.locator("#application-alerts-status")
    news.get_by_text("cannot reach this phone").wait_for()
    assert "You will get alerts" not in news.inner_text()
    assert news.get_by_role("link", name=re.compile("Sign in")).get_attribute("href").startswith("/account")
    assert axe_violations(page) == []


def test_alerts_about_an_application_commented_on_go_to_the_confirmed_email(browser, mailbox, account_server):
    origin, env, _proxy = account_server
    context = browser.new_context(locale="en-GB", base_url=origin, permissions=NO_NOTIFICATIONS, geolocation=WESTMINSTER)
    try:
        page = context.new_page()
        page.goto("/")
        wait_for_service_worker(page)
        email = new_email()
        open_application(env, page, "9 Lexington Street, London W1")
        write_comment(page, email)
        before = mailbox.count(email)
        page.get_by_role("button", name="Email me a code").click()
        page.locator("#rep-code-status").get_by_text(f"We sent a code to {email}").wait_for()
        page.fill("#rep-code", code_to(mailbox, email, before))
        page.get_by_role("button", name="Preview").click()
        page.get_by_role("button", name="Send my representation").click()
        poll(lambda: any(s["report"].get("kind") == "representation" for s in store(page, "sent")),
             message="the comment was never sent")

        page.get_by_role("button", name="Get alerts about this application").click()
        news = page.locator("#application-alerts-status")
        news.get_by_text("emailed to the address you gave with your comment").wait_for()
        assert "cannot reach" not in news.inner_text()
    finally:
        context.close()


def test_following_a_report_nearby_without_notifications_offers_email(app_context):
    context = app_context(permissions=NO_NOTIFICATIONS)
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, "graffiti", description="The first one, to follow")
    send(page)
    sent_reference(page)

    start_report(page, "graffiti")
    page.locator("input[name=offensive][value=no]").check()
    continue_(page)
    continue_(page)  # no photos
    page.click("#use-device-location")
    page.locator("#location-found .notice").wait_for()
    continue_(page)
    page.get_by_role("heading", name="Is it one of these?").wait_for()
    page.locator(".follow-nearby").first.click()
    page.locator("#following-nearby").wait_for()
    page.get_by_label("Email me updates instead").fill(new_email())
    page.get_by_role("button", name="Email me updates").click()
    page.locator("#following-nearby").get_by_text("open the link in it to start getting updates").wait_for()
    assert axe_violations(page) == []
