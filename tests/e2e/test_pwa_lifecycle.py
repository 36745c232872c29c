"""Reports waiting in the outbox survive a reload, a closed tab and a new app version: each is sent once."""

from __future__ import annotations

from tests.e2e.conftest import (
    READ_DEVICE, ROOT, poll, server_reports, start_server, stop_server, store, switch_off_page_flush,
    wait_for_service_worker,
)
from tests.e2e.journey import fill_report, send


def _queue_offline(context, page, descriptions: list[str]) -> list[str]:
    context.set_offline(True)
    ids = []
    for text in descriptions:
        fill_report(page, description=text)
        ids.append(send(page))
        page.get_by_role("heading", name="Report saved on this phone").wait_for()
    return ids


def test_reports_waiting_through_a_reload_are_sent_once(app_context, live_server):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    switch_off_page_flush(page)
    _queue_offline(context, page, ["Before reload 1", "Before reload 2"])

    page.reload()  # offline: the worker serves the app
    page.locator(".site-nav a[href='/outbox']").click()
    page.locator(".item").nth(1).wait_for()
    context.set_offline(False)

    reports = poll(lambda: len(server_reports(page, live_server)) == 2 and server_reports(page, live_server), timeout=45)
    assert sorted(r["description"] for r in reports) == ["Before reload 1", "Before reload 2"]
    poll(lambda: store(page, "outbox") == [])


def test_reports_waiting_when_the_tab_is_closed_are_sent_by_the_worker(app_context, live_server, browser):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    switch_off_page_flush(page)
    _queue_offline(context, page, ["Tab closed"])
    device = page.evaluate(READ_DEVICE)
    page.close()

    context.set_offline(False)  # no page open: only the service worker can send it

    import httpx

    def on_server():
        response = httpx.get(f"{live_server}/api/me/reports", headers={"Authorization": f"Bearer {device['token']}"})
        return response.json()["reports"]

    reports = poll(on_server, timeout=45, message="the worker did not send with no page open")
    assert [r["description"] for r in reports] == ["Tab closed"]


def test_reports_waiting_across_a_new_app_version_are_sent_once(app_context, live_server, proxy, server_env, tmp_path):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    old_caches = page.evaluate("async () => (await caches.keys()).filter((n) => n.startsWith('reportit-shell-'))")
    proxy.fail("POST", "/api/reports", 503, count=1000)  # the council's server is down: reports wait
    fill_report(page, description="Across versions 1")
    send(page)
    fill_report(page, description="Across versions 2")
    send(page)
    poll(lambda: len(store(page, "outbox")) == 2 and all(i["state"] == "waiting" for i in store(page, "outbox")))

    # A new release: the council's name changed, so the shell (and the worker's version) changed.
    config = tmp_path / "reportit.toml"
    config.write_text((ROOT / "reportit.example.toml").read_text().replace(
        'name = "Westminster City Council"', 'name = "City of Westminster"', 1))
    new_server, process = start_server({**server_env, "REPORTIT_CONFIG": str(config), "REPORTIT_BASE_URL": live_server})
    try:
        proxy.upstream = new_server
        page.goto("/report")  # a half-filled form must not be swapped under the resident
        page.locator("#category-graffiti").check()
        page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
        banner = page.locator("#update-banner")
        banner.wait_for(timeout=30000)
        assert page.locator("#category-graffiti").is_checked()

        proxy.faults.clear()  # the server is back
        with page.expect_navigation():
            page.get_by_role("button", name="Reload").click()
        page.get_by_text("City of Westminster").first.wait_for()
        reports = poll(lambda: len(server_reports(page, new_server)) == 2 and server_reports(page, new_server), timeout=45)
        assert sorted(r["description"] for r in reports) == ["Across versions 1", "Across versions 2"]
        poll(lambda: store(page, "outbox") == [])
        new_caches = page.evaluate("async () => (await caches.keys()).filter((n) => n.startsWith('reportit-shell-'))")
        assert len(new_caches) == 1 and new_caches != old_caches  # the old version's cache is gone
        assert [s for s in proxy.statuses("POST", "/api/reports") if s < 300] == [201, 201]
    finally:
        proxy.upstream = live_server
        stop_server(process)
