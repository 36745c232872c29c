"""The outbox against a difficult server: errors, refusals and a full phone."""

from __future__ import annotations

import io
import os

from PIL import Image

from tests.e2e.conftest import poll, server_reports, store, wait_for_service_worker
from tests.e2e.journey import continue_, fill_report, send

PARIS = {"latitude": 48.8566, "longitude": 2.3522, "accuracy": 8}


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
    context = app_context(geolocation=PARIS)  # outside the council's area: the server refuses it (422)
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)

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
