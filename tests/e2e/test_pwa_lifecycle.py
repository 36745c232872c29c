"""Reports waiting in the outbox survive a reload, a closed tab and a new app version: each is sent once."""

from __future__ import annotations

from tests.e2e.conftest import (
    READ_DEVICE, check_for_update, poll, server_reports, store, switch_off_page_flush, wait_for_service_worker,
)
from tests.e2e.journey import fill_report, send

NEW_VERSION_WAITING = "async () => Boolean((await navigator.serviceWorker.getRegistration()).waiting)"


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


def test_reports_waiting_across_a_new_app_version_are_sent_once(app_context, proxy, new_version):
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

    new_server = new_version()
    page.goto("/report")  # a half-filled form must not be swapped under the resident
    page.locator("#category-graffiti").check()
    check_for_update(page)
    poll(lambda: page.evaluate(NEW_VERSION_WAITING), message="the new version was never installed")
    assert page.locator("#update-banner").is_hidden()  # no "Reload" offered over the form
    assert page.locator("#category-graffiti").is_checked()

    page.locator(".site-nav a[href='/outbox']").click()  # the resident leaves the form
    page.locator("#update-banner").wait_for()
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


def test_an_update_found_on_the_first_visit_reloads_into_the_new_version(app_context, new_version):
    context = app_context()
    page = context.new_page()
    page.goto("/")  # the first visit: no worker controlled this page when it loaded
    wait_for_service_worker(page)

    new_version()
    check_for_update(page)
    page.locator("#update-banner").wait_for(timeout=30000)
    with page.expect_navigation():
        page.get_by_role("button", name="Reload").click()
    page.get_by_text("City of Westminster").first.wait_for()


def test_reload_into_a_new_version_is_not_held_up_by_a_stalled_upload(app_context, proxy, new_version):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    page.goto("/")
    # Every upload stalls (a signal that carries almost nothing) for far longer than this test waits.
    proxy.fail("POST", "/api/reports", 503, count=10, delay=120)
    fill_report(page, description="Stuck on a slow signal")
    send(page)
    page.get_by_role("heading", name="Report saved on this phone").wait_for()

    new_version()
    check_for_update(page)
    page.locator("#update-banner").wait_for(timeout=30000)
    with page.expect_navigation():
        page.get_by_role("button", name="Reload").click()
    page.get_by_text("City of Westminster").first.wait_for(timeout=30000)
    assert [item["fields"]["description"] for item in store(page, "outbox")] == ["Stuck on a slow signal"]


def test_a_report_whose_sync_was_dropped_is_sent_by_the_worker_after_the_app_is_opened_again(app_context, live_server):
    # No Background Sync when the report is saved: the state Chromium leaves a report in after it
    # gives up on a sync (three failed tries). Opening the app again must ask for a sync again.
    context = app_context(permissions=["geolocation", "notifications"])
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    switch_off_page_flush(page)  # only the worker may send in this test
    _queue_offline(context, page, ["Sync was dropped"])
    device = page.evaluate(READ_DEVICE)
    context.grant_permissions(["geolocation", "notifications", "background-sync"])

    page.reload()  # the resident opens the app again, still with no signal, and closes it
    page.get_by_role("heading", name="Report saved on this phone").wait_for()
    page.close()
    context.set_offline(False)

    import httpx

    def on_server():
        response = httpx.get(f"{live_server}/api/me/reports", headers={"Authorization": f"Bearer {device['token']}"})
        return response.json()["reports"]

    reports = poll(on_server, timeout=45, message="the worker never sent the report")
    assert [r["description"] for r in reports] == ["Sync was dropped"]


KEEP_OLD_LIBRARIES = """async () => {
  const old = await caches.open('reportit-vendor-0000000000000000');
  await old.put('/vendor/leaflet/images/marker-icon.png', new Response('the old library'));
  await old.put('/vendor/leaflet/not-served-any-more.css', new Response('/* kept with no signal */'));
  // Versions before the libraries had a cache of their own kept them with everything else.
  const runtime = await caches.open('reportit-runtime');
  await runtime.put('/vendor/leaflet/images/marker-shadow.png', new Response('kept before there was a cache for them'));
}"""
CACHE_TEXT = """async ([name, path]) => {
  const response = await (await caches.open(name)).match(path);
  return response ? (await response.text()).slice(0, 40) : null;
}"""


def test_map_libraries_kept_on_the_phone_are_renewed_by_a_new_version(app_context, new_version):
    """/vendor/ URLs carry no version: a phone kept them forever, so an upgraded Leaflet never
    reached it. They are kept under the server's digest of them, and a new worker renews what an
    older digest kept (from the network, or as it was when the network cannot give it)."""
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    manifest = page.evaluate("async () => (await fetch('/precache-manifest.js')).text()")
    kept = "reportit-vendor-" + manifest.split("VENDOR_VERSION = \"", 1)[1].split('"', 1)[0]
    assert page.evaluate("async () => (await fetch('/vendor/leaflet/leaflet.css')).status") == 200
    assert page.evaluate("(name) => caches.has(name)", kept)
    page.evaluate(KEEP_OLD_LIBRARIES)  # as an older version of the libraries left them

    new_version()
    check_for_update(page)
    page.locator("#update-banner").wait_for(timeout=30000)
    with page.expect_navigation():
        page.get_by_role("button", name="Reload").click()
    poll(lambda: not page.evaluate("async () => caches.has('reportit-vendor-0000000000000000')"),
         message="the old libraries' cache was never renewed")

    icon = page.evaluate(CACHE_TEXT, [kept, "/vendor/leaflet/images/marker-icon.png"])
    assert icon is not None and icon.startswith("\ufffdPNG")  # fetched again: the real image, not the old bytes
    assert page.evaluate(CACHE_TEXT, [kept, "/vendor/leaflet/not-served-any-more.css"]) == "/* kept with no signal */"
    assert page.evaluate(CACHE_TEXT, [kept, "/vendor/leaflet/leaflet.css"]) is not None
    shadow = page.evaluate(CACHE_TEXT, [kept, "/vendor/leaflet/images/marker-shadow.png"])
    assert shadow is not None and shadow.startswith("\ufffdPNG")  # moved out of the runtime cache, fetched again
    assert page.evaluate(CACHE_TEXT, ["reportit-runtime", "/vendor/leaflet/images/marker-shadow.png"]) is None
    carried = "async ([name, path]) => (await (await caches.open(name)).match(path)).headers.get('X-Reportit-Carried-Over')"
    assert page.evaluate(carried, [kept, "/vendor/leaflet/not-served-any-more.css"]) == "1"  # fetched again when used
    assert page.evaluate(carried, [kept, "/vendor/leaflet/images/marker-icon.png"]) is None


def test_the_words_about_sending_later_are_true_on_browsers_without_background_sync(app_context):
    """Safari and Firefox have no Background Sync: a report waits until the app is open again, so the
    app must not tell those residents they can close it and it will go by itself."""
    for has_sync, words in ((True, "You can close the app: nothing will be lost."),
                            (False, "the next time you open it. Nothing will be lost.")):
        context = app_context()
        if not has_sync:
            context.add_init_script("delete window.SyncManager;")
        page = context.new_page()
        page.goto("/")
        wait_for_service_worker(page)
        _queue_offline(context, page, [f"Waiting, sync {has_sync}"])
        # (the screen may say "Sending…" for a moment first, while the page tries with no signal)
        page.get_by_text(words).wait_for(timeout=15000)
        assert page.get_by_text(words).is_visible()
        page.locator(".site-nav a[href='/outbox']").click()
        page.get_by_role("heading", name="Outbox", exact=True).wait_for()
        intro = page.get_by_text("Reports and comments on applications are kept here until the council has them.").inner_text()
        assert ("sent by themselves" in intro) == has_sync, intro
        context.close()


def test_tries_that_fail_leave_the_saved_screen_and_its_focus_alone(app_context, proxy):
    """While the council's server cannot be reached the page tries again every few seconds. Each try
    used to swap the screen to "Sending…" and back, moving a keyboard user's focus to the heading
    and reading "Sending your report" out each time."""
    proxy.fail("POST", "/api/reports", 503, count=1000)
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, description="Server down for a while")
    send(page)
    page.get_by_role("heading", name="Report saved on this phone").wait_for()
    page.get_by_role("link", name="See your outbox").focus()
    tries = len(proxy.statuses("POST", "/api/reports"))
    poll(lambda: len(proxy.statuses("POST", "/api/reports")) >= tries + 1, timeout=60,
         message="the page did not try again")
    poll(lambda: [item["state"] for item in store(page, "outbox")] == ["waiting"])
    assert page.evaluate("document.activeElement.textContent") == "See your outbox"
    assert page.get_by_text("You can close the app: nothing will be lost.").is_visible()
