"""The outbox against a difficult server: errors, refusals and a full phone."""

from __future__ import annotations

import io
import os

import httpx

from PIL import Image

from reportit.reports.references import spoken
from tests.e2e.conftest import READ_DEVICE, poll, server_reports, store, wait_for_service_worker
from tests.e2e.journey import continue_, fill_report, send

PARIS = {"latitude": "48.8566", "longitude": "2.3522", "accuracy": "8", "location_source": "device"}


def _refusal_from_the_server(live_server) -> dict:
    """What the council's server answers to a report from outside its area (422). The app now stops
    such a place on the location step, so an app-made report only meets this answer from the
    proxy (an older app version's report, or a boundary that moved after it was saved)."""
    token = httpx.post(f"{live_server}/api/devices").json()["token"]
    response = httpx.post(f"{live_server}/api/reports", headers={"Authorization": f"Bearer {token}"},
                          files={k: (None, v) for k, v in {"category": "overflowing_bin", **PARIS}.items()})
    assert response.status_code == 422, response.text
    return response.json()


def test_server_error_then_success_sends_the_report_once(app_context, live_server, proxy):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    proxy.fail("POST", "/api/reports", 500, count=1)

    fill_report(page, description="First answer is a 500")
    send(page)

    poll(lambda: store(page, "sent"), timeout=45, message="never sent after the 500")
    assert proxy.statuses("POST", "/api/reports") == [500, 201]
    reports = server_reports(page, live_server)
    assert [r["description"] for r in reports] == ["First answer is a 500"]
    assert store(page, "outbox") == []


def test_refused_report_is_kept_shown_fixed_by_the_resident_and_sent(app_context, live_server, proxy):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    proxy.fail("POST", "/api/reports", 422, count=1, body=_refusal_from_the_server(live_server))

    fill_report(page, description="Sent from the wrong place")
    send(page)
    page.get_by_role("heading", name="Your report needs your attention").wait_for()
    assert "outside the area" in page.locator("main").inner_text()
    assert [item["state"] for item in store(page, "outbox")] == ["attention"]

    page.get_by_role("link", name="Go to your outbox to change or delete it").click()
    item = page.locator(".item").first
    assert "Needs your attention" in item.inner_text()
    assert "outside the area Westminster City Council looks after" in item.inner_text()
    item.get_by_role("button", name="Change this report").click()
    page.wait_for_url("**/report/check")
    page.get_by_role("link", name="Change location").click()
    page.click("#forget-location")
    page.fill("#location-text", "Outside 10 Downing Street")
    continue_(page)
    page.wait_for_url("**/report/check")
    send(page)

    page.get_by_role("heading", name="Report sent").wait_for(timeout=30000)
    assert proxy.statuses("POST", "/api/reports") == [422, 201]
    reports = server_reports(page, live_server)
    assert len(reports) == 1
    assert reports[0]["location"]["description"] == "Outside 10 Downing Street"
    assert reports[0]["location"]["latitude"] is None
    assert store(page, "outbox") == []


def _noisy_jpeg(path, width=2000, height=1500) -> None:
    picture = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=95)
    path.write_bytes(buffer.getvalue())


def test_a_full_phone_is_told_and_reports_saved_earlier_are_still_sent(app_context, live_server, origin, tmp_path):
    context = app_context()
    page = context.new_page()
    # Room for the app and a small report, not for a large photo. (Chromium applies a quota
    # override to databases opened after it, so it is set before the app first opens its own.)
    cdp = context.new_cdp_session(page)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": 1_000_000})
    page.goto("/")
    wait_for_service_worker(page)
    context.set_offline(True)
    fill_report(page, description="Saved before the phone filled up")
    first = send(page)
    page.get_by_role("heading", name="Report saved on this phone").wait_for()

    big = tmp_path / "big.jpg"
    _noisy_jpeg(big)
    fill_report(page, photos=[big], description="This one does not fit")
    page.click("#send-report")
    error = page.locator("#save-error")
    error.wait_for()
    assert "out of storage space" in error.inner_text()
    assert "Reports you saved before are safe" in error.inner_text()
    assert page.evaluate("document.activeElement.id") == "save-error"
    assert page.url.endswith("/report/check")  # the report is still on screen, ready to try again
    assert [item["client_id"] for item in store(page, "outbox")] == [first]

    context.set_offline(False)
    reports = poll(lambda: server_reports(page, live_server), timeout=45, message="the earlier report was not sent")
    assert [r["description"] for r in reports] == ["Saved before the phone filled up"]


def test_a_success_answer_without_a_report_is_not_taken_as_sent(app_context, live_server, proxy):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    # Something between the phone and the council answers 201 but no report reached the server.
    proxy.fail("POST", "/api/reports", 201, count=1, body={"unexpected": True})

    fill_report(page, description="Answered by something else")
    send(page)

    reports = poll(lambda: server_reports(page, live_server), timeout=45, message="the report never reached the council")
    assert [r["description"] for r in reports] == ["Answered by something else"]
    page.get_by_role("heading", name="Report sent").wait_for()
    assert page.locator(".reference").inner_text() == spoken(reports[0]["reference"])
    assert store(page, "outbox") == []
    page.locator(".site-nav a[href='/mine']").click()
    page.locator("#my-reports strong", has_text=spoken(reports[0]["reference"])).wait_for()


def test_two_tabs_opened_at_once_register_this_phone_once(app_context, proxy):
    context = app_context()
    first, second = context.new_page(), context.new_page()
    proxy.hold("POST", "/api/devices", 30)  # the first registration is slow
    first.goto("/")
    poll(lambda: proxy.pending, message="the app never registered the phone")
    second.goto("/")
    second.get_by_role("heading", level=1).wait_for()
    proxy.release()

    token = "async () => (await import('/app/lib/outbox.js')).deviceToken()"
    tokens = {first.evaluate(token), second.evaluate(token)}
    poll(lambda: proxy.pending == 0)
    assert len(proxy.statuses("POST", "/api/devices")) == 1
    assert len(tokens) == 1
    assert {page.evaluate(READ_DEVICE)["token"] for page in (first, second)} == tokens


def test_a_key_already_used_for_other_content_is_sent_again_as_a_new_report(app_context, live_server, proxy):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    message = "This report's key was already used for a different report."
    proxy.fail("POST", "/api/reports", 422, count=1, body={
        "title": "Unprocessable", "status": 422, "errors": [{"field": "Idempotency-Key", "message": message}]})

    fill_report(page, description="Key clash")
    first = send(page)
    page.get_by_role("heading", name="Your report needs your attention").wait_for()
    page.get_by_role("link", name="Go to your outbox to change or delete it").click()
    item = page.locator(".item").first
    item.get_by_text(message).wait_for()
    assert item.get_by_role("button", name="Change this report").count() == 0  # changing it cannot help
    item.get_by_role("button", name="Send as a new report").click()

    page.get_by_role("heading", name="Report sent").wait_for(timeout=30000)
    reports = server_reports(page, live_server)
    assert [r["description"] for r in reports] == ["Key clash"]
    assert store(page, "outbox") == []
    assert [s["client_id"] for s in store(page, "sent")] != [first]


def test_starting_a_new_report_while_changing_a_refused_one_keeps_the_refused_one(app_context, live_server, proxy):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    proxy.fail("POST", "/api/reports", 422, count=1, body=_refusal_from_the_server(live_server))
    fill_report(page, description="Refused, not fixed yet")
    refused = send(page)
    page.get_by_role("heading", name="Your report needs your attention").wait_for()
    page.get_by_role("link", name="Go to your outbox to change or delete it").click()
    page.locator(".item").first.get_by_role("button", name="Change this report").click()
    page.wait_for_url("**/report/check")

    page.locator(".site-nav a[href='/report']").click()  # changed their mind: a different problem
    page.get_by_role("heading", name="What is the problem?").wait_for()
    assert not page.locator("#category-graffiti").is_checked()  # a new, empty report
    page.locator("#category-graffiti").check()
    continue_(page)
    page.locator("input[name=offensive][value=no]").check()
    continue_(page)
    continue_(page)  # no photos
    page.wait_for_url("**/report/location")
    page.fill("#location-text", "Outside 10 Downing Street")
    continue_(page)
    page.fill("#description", "A different problem")
    continue_(page)
    continue_(page)
    page.wait_for_url("**/report/check")
    assert "Refused, not fixed yet" not in page.locator("main").inner_text()
    send(page)

    page.get_by_role("heading", name="Report sent").wait_for(timeout=30000)
    assert [(i["client_id"], i["state"]) for i in store(page, "outbox")] == [(refused, "attention")]
    page.locator(".site-nav a[href='/outbox']").click()
    page.locator(f"#item-{refused}").wait_for()


# WebKit and Gecko report a full disk on the write request, whose error event reaches the
# transaction before the transaction has an error of its own. Chromium reports it when the
# transaction aborts, so this makes Chromium's next write to the outbox fail the other way.
REQUEST_LEVEL_QUOTA_ERROR = """() => {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (value, key) {
    if (this.name !== 'outbox' || localStorage.getItem('test:outbox-full') !== 'yes') return put.call(this, value, key);
    put.call(this, value, key);
    const request = this.add(value, key);  // same key twice: this request fails, and the transaction aborts
    Object.defineProperty(request, 'error', { get: () => new DOMException('The phone is full', 'QuotaExceededError') });
    return request;
  };
}"""


def test_a_full_phone_reported_on_the_write_itself_is_told_it_is_out_of_storage(app_context, live_server):
    context = app_context()
    context.add_init_script(script=f"({REQUEST_LEVEL_QUOTA_ERROR})()")
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    context.set_offline(True)
    fill_report(page, description="Saved before the phone filled up")
    first = send(page)
    page.get_by_role("heading", name="Report saved on this phone").wait_for()

    page.evaluate("() => localStorage.setItem('test:outbox-full', 'yes')")
    fill_report(page, description="This one does not fit")
    page.click("#send-report")
    error = page.locator("#save-error")
    error.wait_for()
    assert "out of storage space" in error.inner_text()
    assert "Reports you saved before are safe" in error.inner_text()
    assert [item["client_id"] for item in store(page, "outbox")] == [first]

    page.evaluate("() => localStorage.removeItem('test:outbox-full')")
    context.set_offline(False)
    reports = poll(lambda: server_reports(page, live_server), timeout=45, message="the earlier report was not sent")
    assert [r["description"] for r in reports] == ["Saved before the phone filled up"]
