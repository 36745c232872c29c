"""Sharing a photo into the installed app from another app (the manifest's share target), the way
the OS share sheet does it: a multipart POST navigation to /share-target."""

from __future__ import annotations

import secrets

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import server_reports, wait_for_service_worker
from tests.e2e.journey import continue_, past_nearby_reports, send

SHARE_FORM = """({title, text}) => {
  const form = document.createElement('form');
  form.method = 'post';
  form.enctype = 'multipart/form-data';
  form.action = '/share-target';
  form.id = 'os-share-sheet';
  for (const [name, value] of Object.entries({title, text})) {
    const input = document.createElement('input');
    input.type = 'hidden'; input.name = name; input.value = value;
    form.append(input);
  }
  const file = document.createElement('input');
  file.type = 'file'; file.name = 'photos'; file.id = 'shared-photos'; file.multiple = true;
  form.append(file);
  document.body.append(form);
}"""


def share(page, photos: list, title: str = "", text: str = "") -> None:
    """Submit a real multipart form to /share-target, as the share sheet would: the page navigates."""
    page.evaluate(SHARE_FORM, {"title": title, "text": text})
    if photos:
        page.set_input_files("#shared-photos", [str(p) for p in photos])
    with page.expect_navigation():
        page.evaluate("() => document.getElementById('os-share-sheet').submit()")


def test_a_photo_shared_into_the_installed_app_becomes_the_reports_photo(app_context, photo_files, live_server):
    page = app_context().new_page()
    page.goto("/")
    wait_for_service_worker(page)
    note = f"Tag on the bridge {secrets.token_hex(3)}"

    share(page, photo_files(1), title="Gallery", text=note)

    # The worker kept the photo and sent the resident into the form: first, what the problem is.
    page.wait_for_url("**/report")
    page.locator("#category-graffiti").wait_for()
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
    page.locator("#category-graffiti").check()
    continue_(page)
    page.wait_for_url("**/report/questions")
    page.locator("input[name=offensive][value=no]").check()
    continue_(page)
    page.wait_for_url("**/report/photos")
    thumbnails = page.locator(".photos img")
    thumbnails.first.wait_for()
    assert thumbnails.count() == 1
    assert page.evaluate("() => document.querySelector('.photos img').naturalWidth") > 0  # a real, decodable preview
    continue_(page)
    page.wait_for_url("**/report/location")
    page.click("#use-device-location")
    page.locator("#location-found .notice").wait_for()
    continue_(page)
    past_nearby_reports(page)
    page.wait_for_url("**/report/description")
    # The text shared with the photo is the start of the description.
    assert note in page.input_value("#description")
    continue_(page)
    page.wait_for_url("**/report/contact")
    continue_(page)
    page.wait_for_url("**/report/check")
    # The URL changes before the screen is drawn: wait for the summary rather than count at once.
    expect(page.locator(".summary .photos img")).to_have_count(1)
    send(page)
    page.locator("p.reference").wait_for()
    reference = page.locator("p.reference").inner_text().replace("-", "")

    # The worker's store is emptied once the form took the photo.
    assert page.evaluate("""async () => {
      const db = await new Promise((r) => { const q = indexedDB.open('reportit'); q.onsuccess = () => r(q.result); });
      const n = await new Promise((r) => {
        const q = db.transaction('shared').objectStore('shared').count(); q.onsuccess = () => r(q.result);
      });
      db.close();
      return n;
    }""") == 0
    reports = server_reports(page, live_server)
    mine = [r for r in reports if r["reference"].replace("-", "") == reference]
    assert len(mine) == 1, reports
    report = httpx.get(f"{live_server}/api/reports/{mine[0]['reference']}", timeout=10).json()
    assert len(report["photos"]) == 1
    assert note in report["description"]
    assert report["category"]["code"] == "graffiti"


def test_without_a_service_worker_the_share_is_refused_plainly(app_context, photo_files, origin):
    context = app_context(service_workers="block")
    page = context.new_page()
    page.goto("/")
    assert page.evaluate("() => navigator.serviceWorker.controller") is None

    # The server itself answers: a 303 to the form, saying why.
    response = httpx.post(f"{origin}/share-target", files={"photos": ("p.jpg", photo_files(1)[0].read_bytes(), "image/jpeg")},
                          data={"text": "hello"}, timeout=10)
    assert response.status_code == 303
    assert response.headers["location"] == "/report/photos?shared=unavailable"

    share(page, photo_files(1), text="hello")
    page.locator("#category-graffiti").wait_for()
    # The resident can still report, and is told plainly that the photo did not come through.
    assert page.locator("h1").first.inner_text() == "What is the problem?"
    expect(page.locator("main")).to_contain_text("The photo you shared could not be kept")
    assert "Add it at the photos step" in page.locator("main").inner_text()
