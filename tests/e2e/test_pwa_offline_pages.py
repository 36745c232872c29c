"""What the app shows with no signal: /find, a saved report page with its styles and photos, an
application's permanent page opened before (however its link spells the reference), and My
reports (what waits in the outbox, and that it is offline)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from urllib.parse import quote

from tests.applications.conftest import csv_text, planning_row
from tests.conftest import ROOT
from tests.e2e.conftest import axe_violations, poll, wait_for_service_worker
from tests.e2e.journey import fill_report, send, sent_reference
from tests.e2e.test_applications_journey import nearby  # noqa: F401 (fixture)

STYLED = "() => [...document.styleSheets].some((sheet) => sheet.href && sheet.href.includes('pages.css') && sheet.cssRules.length > 0)"
PHOTOS_SHOWN = "() => [...document.querySelectorAll('main img')].map((img) => img.complete && img.naturalWidth > 0)"
PHOTO_SAVED = """async () => {
  const img = document.querySelector('main img');
  return Boolean(img && await caches.match(new URL(img.getAttribute('src'), location.href).href));
}"""
SAVED_COPY = "Offline — showing the copy saved on this phone on "


def test_find_a_report_works_offline(app_context):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)

    context.set_offline(True)
    page.goto("/find")
    page.locator("form[action='/r'] input[name=reference]").wait_for()
    assert page.locator("h1").count() == 1
    assert page.evaluate(STYLED), "/find offline has no stylesheet"


def test_a_saved_report_page_keeps_its_styles_and_photos_offline(app_context, photo_files):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, "graffiti", photos=photo_files(1), description="Tag with a photo")
    send(page)
    reference = sent_reference(page)
    page.goto(f"/r/{reference}")
    page.get_by_text("Tag with a photo").wait_for()
    poll(lambda: page.evaluate(PHOTO_SAVED), message="the page's photo was never saved")

    context.set_offline(True)
    page.goto(f"/r/{reference}")
    page.get_by_text("Tag with a photo").wait_for()
    assert page.evaluate(STYLED), "the saved page has no stylesheet"
    poll(lambda: page.evaluate(PHOTOS_SHOWN) == [True], message="the saved page's photo is broken")
    assert page.locator("#saved-copy").inner_text().startswith(SAVED_COPY)


def test_an_application_page_opened_before_is_kept_for_no_signal_however_its_link_spells_it(app_context, nearby):  # noqa: F811
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    reference = nearby["planning"]["reference"]  # 26/…/FULL
    address = nearby["planning"]["address-text"]
    page.goto(f"/a/{reference}")  # as My reports and the app link it
    page.get_by_role("heading", level=1, name=address).wait_for()
    assert page.locator("#saved-copy").count() == 0

    context.set_offline(True)
    # As an alert or a receipt links it (the reference one escaped segment), and as typed in lower case.
    for path in (f"/a/{quote(reference, safe='')}", f"/a/{reference.lower()}", f"/a/{reference}"):
        page.goto(path)
        page.get_by_role("heading", level=1, name=address).wait_for()
        assert page.locator("#saved-copy").inner_text().startswith(SAVED_COPY), path
        assert page.evaluate(STYLED), f"the saved page {path} has no stylesheet"
    assert axe_violations(page) == []

    page.goto(f"/a/{nearby['licensing']['reference']}")  # never opened on this phone
    page.get_by_role("heading", level=1, name="No signal").wait_for()
    assert page.evaluate("() => [...document.styleSheets].some((sheet) => sheet.cssRules.length > 0)"), \
        "the app's No signal page has no stylesheet"


KEPT_APPLICATION_PAGES = """async () => (await (await caches.open('reportit-runtime')).keys())
  .map((key) => decodeURIComponent(new URL(key.url).pathname)).filter((path) => path.startsWith('/a/'))"""


def test_only_the_50_application_pages_last_opened_are_kept(app_context, server_env, tmp_path):
    tag = secrets.token_hex(2).upper()
    references = [f"26/{tag}{n:02d}/FULL" for n in range(51)]
    # No place: they are in no other test's list of applications near somewhere.
    (tmp_path / "many.csv").write_text(csv_text([planning_row(r, point="") for r in references]))
    subprocess.run([sys.executable, "-m", "reportit.cli", "applications", "import", str(tmp_path / "many.csv"), "--regime", "planning"],
                   env={**os.environ, **server_env}, cwd=ROOT, check=True, capture_output=True, timeout=120)
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    for reference in references:
        page.goto(f"/a/{quote(reference, safe='')}")
        page.get_by_text(f"Planning application {reference}").wait_for()
    page.goto(f"/a/{references[-1]}")  # the same application under another spelling is the same copy
    page.get_by_text(f"Planning application {references[-1]}").wait_for()

    kept = page.evaluate(KEPT_APPLICATION_PAGES)
    assert sorted(kept) == [f"/a/{r}" for r in references[1:]]

    context.set_offline(True)
    page.goto(f"/a/{references[0]}")
    page.get_by_role("heading", level=1, name="No signal").wait_for()


def test_my_reports_says_what_waits_in_the_outbox_and_that_it_is_offline(app_context):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, "graffiti", description="Sent with a signal")
    send(page)
    sent_reference(page)
    page.goto("/mine")
    note = page.locator("#my-reports-note")
    poll(lambda: note.inner_text() == "Up to date.")

    context.set_offline(True)
    poll(lambda: note.inner_text().startswith("Offline — showing what was saved on this phone"),
         message=f"My reports did not say it is offline: {note.inner_text()!r}")

    fill_report(page, "graffiti", description="Waiting for a signal")
    send(page)
    page.get_by_role("heading", name="Report saved on this phone").wait_for()
    page.locator(".site-nav a[href='/mine']").click()
    waiting = page.locator("#waiting-to-send")
    waiting.wait_for()
    assert waiting.inner_text().startswith("1 report is waiting to be sent")
    assert waiting.get_by_role("link").get_attribute("href") == "/outbox"
    poll(lambda: note.inner_text().startswith("Offline — showing what was saved on this phone"))


def test_my_reports_with_only_a_report_waiting_does_not_say_none_were_sent(app_context):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    context.set_offline(True)
    fill_report(page, "graffiti", description="The only one, no signal")
    send(page)
    page.goto("/mine")
    page.locator("#waiting-to-send").wait_for()
    assert "You have not sent any reports" not in page.locator("main").inner_text()
