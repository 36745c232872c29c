"""A private report (noise from a neighbour): no link that cannot work; its details in My reports;
its page says "private" to the phone that sent it, and "not found" to everyone else."""

from __future__ import annotations

from tests.e2e.conftest import poll, wait_for_service_worker
from reportit.reports.references import spoken
from tests.e2e.journey import fill_report, send, sent_reference

PHOTOS_SHOWN = "(sel) => [...document.querySelectorAll(sel)].map((img) => img.complete && img.naturalWidth > 0)"


def test_a_private_report_is_shown_in_my_reports_and_its_page_says_private(app_context, photo_files):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, "noise_neighbour", answers={"threatened": "no"}, photos=photo_files(1),
                place="Flat 3, 12 Example Street", description="Music until 3am")
    send(page)
    reference = sent_reference(page)

    # "Report sent" offers no permanent link (it could only answer "not found"), but says where to look.
    assert page.locator("a[href*='/r/']").count() == 0
    assert "This report is private" in page.locator("#private-report").inner_text()
    page.get_by_role("link", name="See it in My reports").click()
    page.wait_for_url("**/mine")
    item = page.locator("#my-reports .item").filter(has_text=spoken(reference))
    item.get_by_text("Music until 3am").wait_for()
    assert "12 Example Street" in item.inner_text()
    assert item.locator("a[href*='/r/']").count() == 0
    poll(lambda: page.evaluate(PHOTOS_SHOWN, "#my-reports .item img") == [True],
         message="the private report's photo was not shown in My reports")

    # Its page, opened on the phone that sent it, says it is private (not that it does not exist).
    response = page.goto(f"/r/{reference}")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "This report is private"
    assert "My reports" in page.locator("main").inner_text()
    assert "Music until 3am" not in page.content()

    # Anyone else's phone cannot tell it from a reference that was never given out.
    stranger = app_context().new_page()
    response = stranger.goto(f"/r/{reference}")
    assert response.status == 404
    assert "private: only the person" not in stranger.content()
    assert "Music until 3am" not in stranger.content()


def test_a_public_report_still_offers_its_permanent_link(app_context):
    page = app_context().new_page()
    page.goto("/")
    fill_report(page, "graffiti")
    send(page)
    reference = sent_reference(page)
    assert page.locator("#private-report").count() == 0
    link = page.get_by_role("link", name=f"/r/{reference}")
    assert link.count() == 1
