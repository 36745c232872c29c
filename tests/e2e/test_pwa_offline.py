"""Reporting with no signal: saved on the phone, sent once when the signal returns."""

from __future__ import annotations

from tests.e2e.conftest import poll, server_reports, store, switch_off_page_flush, wait_for_service_worker
from tests.e2e.journey import fill_report, send


def test_after_one_online_visit_the_app_starts_and_reports_with_the_network_off(app_context, live_server):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)

    context.set_offline(True)
    page.goto("/")
    # The shell's own h1 says "Report It" until the app has rendered the start screen.
    page.get_by_role("heading", level=1, name="Report a problem in the street").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "Report a problem in the street"
    fill_report(page, description="Reported with no signal")
    client_id = send(page)
    page.get_by_role("heading", name="Report saved on this phone").wait_for()
    assert [item["client_id"] for item in store(page, "outbox")] == [client_id]
    assert page.locator("#unsent-badge").inner_text() == "1"

    context.set_offline(False)
    reports = poll(lambda: server_reports(page, live_server), message="the report never reached the server")
    assert len(reports) == 1
    assert reports[0]["description"] == "Reported with no signal"
    page.get_by_role("heading", name="Report sent").wait_for()
    assert store(page, "outbox") == []


def test_offline_report_with_photos_and_gps_is_sent_once_by_the_service_worker(app_context, live_server, photo_files):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    switch_off_page_flush(page)  # only the service worker may send in this test

    context.set_offline(True)
    page.goto("/")
    fill_report(page, photos=photo_files(2, gps=(51.5, -0.14)), description="Two photos, no signal")
    client_id = send(page)
    assert [item["state"] for item in store(page, "outbox")] == ["waiting"]

    context.set_offline(False)  # Background Sync fires by itself once the network is back
    poll(lambda: server_reports(page, live_server), timeout=45, message="the worker never sent it")
    poll(lambda: store(page, "sent"), message="the sent copy was never kept")
    # The report goes first and its photos after it: read the server's copy once they are in.
    reports = poll(lambda: (found := server_reports(page, live_server)) and len(found[0]["photos"]) >= 2 and found,
                   timeout=45, message="the worker never sent the photos")
    assert len(reports) == 1
    report = reports[0]
    assert len(report["photos"]) == 2
    assert report["location"]["latitude"] == 51.4975
    assert report["location"]["longitude"] == -0.1357
    assert report["location"]["accuracy"] == 12
    assert report["location"]["source"] == "device"
    sent = store(page, "sent")
    assert [(s["client_id"], s["sent_by"]) for s in sent] == [(client_id, "sw")]
    assert store(page, "outbox") == []
