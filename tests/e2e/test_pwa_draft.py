"""A report being written survives a reload, the app being closed and the phone restarting, until
it is sent or discarded ("You have an unfinished report: continue or discard")."""

from __future__ import annotations

from tests.e2e.conftest import ARGS, CHROMIUM, WESTMINSTER, poll, server_reports, wait_for_service_worker
from tests.e2e.journey import continue_, fill_report, send, sent_reference

KEPT_DRAFT = """async () => {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open('reportit'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
  });
  const draft = await new Promise((resolve) => {
    const r = db.transaction('kv').objectStore('kv').get('draft'); r.onsuccess = () => resolve(r.result); r.onerror = () => resolve(null);
  });
  db.close();
  if (!draft) return null;
  const photos = draft.photos.map((p) => p.blob instanceof Blob && p.blob.size);
  return { path: draft.path, description: draft.description, answers: draft.answers, photos };
}"""

PHOTOS_SHOWN = "() => [...document.querySelectorAll('.photos img')].map((img) => img.complete && img.naturalWidth > 0)"


def test_a_report_on_the_check_step_survives_a_reload_and_is_sent_whole(app_context, live_server, photo_files):
    page = app_context().new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, "graffiti", answers={"offensive": "yes"}, photos=photo_files(2),
                description="Tag on the shop shutter", email="sam@example.com")
    poll(lambda: (page.evaluate(KEPT_DRAFT) or {}).get("path") == "/report/check")

    page.reload()
    page.get_by_role("heading", level=1, name="You have an unfinished report").wait_for()
    assert "Graffiti" in page.locator("#unfinished-report").inner_text()
    page.get_by_role("button", name="Continue the report").click()

    page.wait_for_url("**/report/check")
    summary = page.locator(".summary")
    summary.get_by_text("Tag on the shop shutter").wait_for()
    text = summary.inner_text()
    assert "sam@example.com" in text and "Yes" in text
    poll(lambda: page.evaluate(PHOTOS_SHOWN) == [True, True], message="the kept photos were not shown")

    send(page)
    reference = sent_reference(page)
    [report] = server_reports(page, live_server)
    assert report["reference"] == reference
    assert report["description"] == "Tag on the shop shutter"
    assert report["answers"]["offensive"] == "yes"
    assert report["contact"]["email"] == "sam@example.com"
    assert len(report["photos"]) == 2
    # Sent: nothing is kept, and the next report starts afresh.
    assert page.evaluate(KEPT_DRAFT) is None
    page.goto("/report")
    page.get_by_role("heading", level=1, name="What is the problem?").wait_for()
    assert page.locator("#unfinished-report").count() == 0


def test_answers_on_the_questions_step_survive_a_reload(app_context):
    page = app_context().new_page()
    page.goto("/report")
    page.locator("#category-graffiti").check()
    continue_(page)
    page.wait_for_url("**/report/questions")
    page.locator("input[name=offensive][value=yes]").check()  # ticked, Continue not pressed
    poll(lambda: (page.evaluate(KEPT_DRAFT) or {}).get("answers") == {"offensive": "yes"})

    page.reload()
    page.get_by_role("button", name="Continue the report").click()
    page.wait_for_url("**/report/questions")
    assert page.locator("input[name=offensive][value=yes]").is_checked()


def test_an_unfinished_report_survives_the_phone_restarting_until_discarded(playwright_instance, origin, tmp_path, photo_files):
    def open_phone():
        return playwright_instance.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, base_url=origin, locale="en-GB",
            permissions=["geolocation"], geolocation=WESTMINSTER)

    phone = open_phone()
    page = phone.new_page()
    page.goto("/report")
    page.locator("#category-graffiti").check()
    continue_(page)
    page.locator("input[name=offensive][value=no]").check()
    continue_(page)
    page.wait_for_url("**/report/photos")
    page.set_input_files("#photo", [str(p) for p in photo_files(1)])
    page.locator(".photos img").wait_for()
    continue_(page)
    page.fill("#location-text", "Outside the library")
    continue_(page)
    page.wait_for_url("**/report/description")
    page.fill("#description", "Typed, never continued")  # the camera app kills the tab now
    poll(lambda: (page.evaluate(KEPT_DRAFT) or {}).get("description") == "Typed, never continued")
    phone.close()

    phone = open_phone()
    try:
        page = phone.new_page()
        page.goto("/")
        notice = page.locator("#unfinished-report")
        notice.get_by_role("heading", name="You have an unfinished report").wait_for()
        assert "1 photo" in notice.inner_text()
        page.get_by_role("button", name="Continue the report").click()
        page.wait_for_url("**/report/description")
        assert page.input_value("#description") == "Typed, never continued"
        page.get_by_role("link", name="Back").click()
        page.wait_for_url("**/report/location")
        assert page.input_value("#location-text") == "Outside the library"

        page.goto("/")  # closed and opened again: the choice is offered again; this time, discard
        page.get_by_role("button", name="Discard it").click()
        poll(lambda: page.locator("#unfinished-report").count() == 0)
        assert page.evaluate(KEPT_DRAFT) is None
        page.reload()
        page.get_by_role("heading", level=1, name="Report a problem in the street").wait_for()
        assert page.locator("#unfinished-report").count() == 0
        page.goto("/report/check")  # nothing kept: the form starts at the beginning
        page.get_by_role("heading", level=1, name="What is the problem?").wait_for()
    finally:
        phone.close()


def test_a_report_that_cannot_be_kept_on_a_full_phone_says_so_on_the_form(app_context, origin, tmp_path):
    """Keeping the draft fails when the phone is full: the form says so at once (nothing is dropped
    silently), while the report on screen can still be sent."""
    from tests.e2e.test_pwa_outbox import _noisy_jpeg

    context = app_context()
    page = context.new_page()
    # Set before the app first opens its database: Chromium applies the override to later opens.
    context.new_cdp_session(page).send("Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": 1_000_000})
    page.goto("/")
    wait_for_service_worker(page)
    page.goto("/report")
    page.locator("#category-graffiti").check()
    continue_(page)
    page.locator("input[name=offensive][value=no]").check()
    continue_(page)
    notice = page.locator("#draft-not-kept")
    assert notice.is_hidden()

    big = tmp_path / "big.jpg"
    _noisy_jpeg(big)
    page.set_input_files("input[type=file]", str(big))
    notice.wait_for()
    assert "out of storage space" in notice.inner_text()
    assert page.evaluate(KEPT_DRAFT) is None or page.evaluate(KEPT_DRAFT)["photos"] == []
