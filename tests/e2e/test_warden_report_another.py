"""A street warden reports several problems in one place: after sending, "Report another here" keeps
the problem and the place, and starts the rest (answers, photos, description) afresh."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.e2e.conftest import server_reports, wait_for_service_worker
from tests.e2e.journey import continue_, fill_report, send
from tests.e2e.test_console_journeys import PASSWORD, add_staff, file_report

PLACE = "Under the railway bridge, Vauxhall Bridge Road"


@pytest.fixture(scope="module")
def warden_email(live_server, server_env) -> str:
    return add_staff(server_env, "warden")


def sign_in_on_the_phone(page, email: str) -> None:
    page.goto("/account?screen=staff")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"You are signed in as {email} (warden).").wait_for()


def sent_reference(page) -> str:
    page.locator("p.reference").wait_for()
    return page.locator("p.reference").inner_text()


def test_report_another_here_keeps_the_problem_and_the_place(app_context, photo_files, live_server, warden_email):
    context = app_context()
    page = context.new_page()
    page.goto("/")
    wait_for_service_worker(page)
    sign_in_on_the_phone(page, warden_email)
    first_words = f"First tag {secrets.token_hex(3)}"

    fill_report(page, "graffiti", answers={"offensive": "yes", "surface": "wall"}, photos=photo_files(1),
                place=PLACE, description=first_words)
    # Staff file under their own account: no contact details asked, none on the check page.
    assert "Contact details" not in page.locator(".summary").inner_text()
    send(page)
    first = sent_reference(page)
    # Their reports are theirs already: no "Get updates" offer.
    assert page.locator("#updates").count() == 0
    assert page.get_by_role("heading", name="Get updates about this report?").count() == 0

    page.get_by_role("button", name="Report another here").click()
    # The problem is kept, its answers are not: the warden is asked them again, nothing chosen.
    page.wait_for_url("**/report/questions")
    page.get_by_role("heading", level=1, name=re.compile("graffiti")).wait_for()  # the URL changes first
    assert page.locator("input[name=offensive]:checked, input[name=surface]:checked").count() == 0
    page.locator("input[name=offensive][value=no]").check()
    continue_(page)
    # No photos carried over.
    page.wait_for_url("**/report/photos")
    assert page.locator(".photos img").count() == 0
    continue_(page)
    # The place is kept: the device's point and the words.
    page.wait_for_url("**/report/location")
    assert "Your location" in page.locator("#location-found").inner_text()
    assert page.input_value("#location-text") == PLACE
    continue_(page)
    # The description is cleared.
    page.wait_for_url("**/report/description")
    assert page.input_value("#description") == ""
    page.fill("#description", "Second tag, on the bin")
    continue_(page)
    page.wait_for_url("**/report/check")  # straight on: no contact details step
    page.get_by_role("link", name="Back").click()
    page.wait_for_url("**/report/description")
    continue_(page)
    page.wait_for_url("**/report/check")
    assert "No photos" in page.locator(".summary").inner_text()
    send(page)
    second = sent_reference(page)
    assert second != first

    # Both reached the server, two reports, same problem and place, filed under the warden.
    mine = {r["reference"] for r in server_reports(page, live_server)}
    a, b = (page.request.get(f"/api/reports/{ref.replace('-', '')}").json() for ref in (first, second))
    assert {a["reference"], b["reference"]} <= mine
    assert a["reference"] != b["reference"]
    assert a["category"]["code"] == b["category"]["code"] == "graffiti"
    assert a["location"]["description"] == b["location"]["description"] == PLACE
    assert (a["location"]["latitude"], a["location"]["longitude"]) == (b["location"]["latitude"], b["location"]["longitude"])
    assert a["location"]["latitude"] is not None
    assert (a["answers"], b["answers"]) == ({"offensive": "yes", "surface": ["wall"]}, {"offensive": "no"})
    assert (len(a["photos"]), len(b["photos"])) == (1, 0)
    assert (a["description"], b["description"]) == (first_words, "Second tag, on the bin")
    # A warden sees in the console only the reports they filed: both are theirs.
    for ref in (a["reference"], b["reference"]):
        assert page.request.get(f"/console/reports/{ref}").status == 200, ref
    assert page.request.get(f"/console/reports/{file_report(live_server, 'A resident pothole')}").status == 404


def test_a_resident_does_not_get_report_another_here(app_context, live_server):
    page = app_context().new_page()
    page.goto("/")
    wait_for_service_worker(page)
    fill_report(page, "graffiti", place=PLACE)
    send(page)
    sent_reference(page)
    assert page.get_by_role("heading", name="Get updates about this report?").is_visible()
    assert page.get_by_role("link", name="Report another problem").is_visible()
    assert page.get_by_role("button", name="Report another here").count() == 0
    assert page.locator("#report-another-here").count() == 0
