"""Details of the report journey a resident trips over in the first hour: stale errors, the photo
button, the check page on a phone, numbers to call, searches with no match, updates with
notifications blocked, places outside the council's area, and how a reference is written."""

from __future__ import annotations

import re

from tests.e2e.conftest import axe_violations, poll, store
from tests.e2e.journey import continue_, fill_report, send, sent_reference, start_report

MANCHESTER = {"latitude": 53.4794, "longitude": -2.2453, "accuracy": 10}
SPOKEN = re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$")


def _to_location(page) -> None:
    start_report(page, "overflowing_bin")  # no questions: photos, then location
    page.wait_for_url("**/report/photos")
    continue_(page)
    page.wait_for_url("**/report/location")


def test_finding_the_location_clears_the_earlier_error(app_context):
    page = app_context().new_page()
    _to_location(page)
    continue_(page)
    page.locator(".error-summary").wait_for()

    page.click("#use-device-location")
    page.locator("#location-found .notice--ok").wait_for()

    assert page.locator(".error-summary").count() == 0
    assert page.locator(".field--error, .field-error, [aria-invalid]").count() == 0
    assert not page.title().startswith("Error")
    assert axe_violations(page) == []


def test_a_place_outside_the_council_area_is_refused_on_the_location_step(app_context):
    page = app_context(geolocation=MANCHESTER).new_page()
    _to_location(page)

    page.click("#use-device-location")
    refusal = page.locator("#location-found .field-error")
    refusal.wait_for()
    assert "outside the area Westminster City Council looks after" in refusal.inner_text()
    assert page.locator("#location-found .notice--ok").count() == 0
    assert axe_violations(page) == []
    continue_(page)  # the refused place was not kept: the words are still needed
    page.locator(".error-summary").wait_for()
    assert page.url.endswith("/report/location")


def test_photos_are_added_with_a_labelled_button_that_offers_the_gallery(app_context):
    page = app_context().new_page()
    start_report(page, "overflowing_bin")
    page.wait_for_url("**/report/photos")

    photo_input = page.get_by_label("Take or choose photos")
    assert photo_input.get_attribute("type") == "file"
    assert photo_input.get_attribute("capture") is None  # a capture hint hides the gallery on some phones
    assert photo_input.get_attribute("multiple") is not None
    native = photo_input.bounding_box()
    assert native is None or native["width"] <= 2  # the browser's own "Choose Files" is not shown
    button = page.locator("label[for=photo]")
    box = button.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44
    assert button.evaluate("(el) => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    with page.expect_file_chooser() as chooser:
        button.click()
    assert chooser.value.is_multiple()
    assert axe_violations(page) == []


def _boxes(row):
    return [row.locator(part).bounding_box() for part in ("dt", "dd:not(.summary__change)", ".summary__change a")]


def test_check_your_answers_puts_change_beside_the_answer_and_stacks_on_a_phone(app_context):
    page = app_context(viewport={"width": 1024, "height": 800}).new_page()
    fill_report(page)
    rows = page.locator(".summary__row")
    rows.first.wait_for()
    assert rows.count() >= 5
    for i in range(rows.count()):
        key, value, change = _boxes(rows.nth(i))
        assert abs(key["y"] - value["y"]) <= 2 and abs(value["y"] - change["y"]) <= 8, i
        assert key["x"] + key["width"] <= value["x"] + 1 and value["x"] + value["width"] <= change["x"] + 1, i

    page.set_viewport_size({"width": 360, "height": 740})
    for i in range(rows.count()):
        key, value, change = _boxes(rows.nth(i))
        assert key["y"] < value["y"] + 1, i
        assert change["y"] >= value["y"] + value["height"] - 1, i  # never above the answer
    assert axe_violations(page) == []


def test_numbers_in_a_stop_notice_are_tap_to_call_links(app_context):
    page = app_context().new_page()
    start_report(page, "pothole")
    page.locator("input[name=danger][value=yes]").check()
    continue_(page)
    notice = page.locator("#stop-notice")
    notice.wait_for()
    assert notice.get_by_role("link", name="999").get_attribute("href") == "tel:999"

    # The first report stopped at its notice is kept as a draft: starting another asks about it first.
    page.goto("/report")
    page.get_by_role("button", name="Discard it").click()
    page.locator("#category-street_light").check()
    continue_(page)
    page.locator("input[name=fault][value=exposed_wires]").check()
    continue_(page)
    page.locator("#stop-notice").wait_for()
    assert page.locator("#stop-notice").get_by_role("link", name="020 7641 6000").get_attribute("href") == "tel:02076416000"


def test_a_search_with_no_match_offers_something_else_and_the_council_phone(app_context):
    page = app_context().new_page()
    page.goto("/report")
    page.fill("#category-search", "dog poo")

    help_text = page.locator("#category-no-match")
    help_text.wait_for()
    assert page.locator("#category-count").inner_text() == "No problems match"
    assert help_text.get_by_role("link", name="020 7641 6000").get_attribute("href") == "tel:02076416000"
    visible = page.locator(".choice:visible label")
    assert visible.count() == 1 and visible.first.inner_text().startswith("Something else")
    assert axe_violations(page) == []

    # By keyboard: from the search box, the number to call, then "Something else", then Continue.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "tel:02076416000"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "category-other"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/report/photos")

    # The report started is kept as a draft (once written; the page may still be writing it):
    # starting another asks about it first.
    poll(lambda: any("saved_at" in value for value in store(page, "kv")), message="the started report was not kept")
    page.goto("/report")
    page.get_by_role("button", name="Discard it").click()
    page.fill("#category-search", "pothole")
    assert page.locator("#category-no-match").is_hidden()
    assert page.locator(".choice:visible").count() == 2  # the match, and the way out


def test_blocked_notifications_offer_email_updates_instead(app_context, proxy):
    # Notifications are not among the granted permissions: asking is refused.
    page = app_context(permissions=["geolocation", "background-sync"]).new_page()
    fill_report(page)
    send(page)
    reference = sent_reference(page)

    page.focus("#get-updates")
    page.keyboard.press("Enter")
    email = page.get_by_label("Email me updates instead")
    email.wait_for()
    assert axe_violations(page) == []
    page.keyboard.press("Tab")  # from the message that replaced the button, to the email field
    page.keyboard.type("jo@example.com")
    page.keyboard.press("Enter")
    # The address is confirmed from the email first: no update goes to an address its owner did not confirm.
    page.get_by_text("We've sent an email to jo@example.com; open the link in it to start getting updates.").wait_for()
    assert proxy.statuses("POST", f"/api/reports/{reference}/follow") == [200]


def test_a_reference_is_written_the_same_way_in_the_app_as_on_its_page(app_context, live_server):
    page = app_context().new_page()
    fill_report(page)
    send(page)
    page.get_by_role("heading", name="Report sent").wait_for(timeout=30000)
    shown = page.locator(".reference").inner_text()
    assert SPOKEN.match(shown), shown

    page.goto("/mine")
    page.locator(".item").first.wait_for()
    assert shown in page.locator(".item").first.inner_text()
    page.goto("/outbox")
    page.locator("#outbox-list").wait_for()
    poll(lambda: shown in page.locator("main").inner_text(), timeout=10, message="outbox shows another form")
    page.goto(f"{live_server}/r/{shown.lower()}")
    assert shown in page.locator("main").inner_text()


def test_a_partner_page_opens_with_a_sentence_written_for_it(app_context):
    page = app_context().new_page()
    start_report(page, "health")
    page.wait_for_url("**/report/elsewhere")
    text = page.locator("main").inner_text()
    assert "The council cannot help someone who is unwell, or with health services: the NHS can." in text
    assert "is not something the council deals with" not in text
    assert page.get_by_role("link", name="111", exact=True).get_attribute("href") == "tel:111"
