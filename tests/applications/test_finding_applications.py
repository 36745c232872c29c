"""Finding an application the way a resident does: its permanent page /a/{reference} typed in any
case, the /find page taking an application's reference as well as a report's, and the page's way
into the app to comment."""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.applications.conftest import planning_row, unique
from tests.applications.test_representations import imported


async def test_the_page_answers_a_reference_in_any_case_with_a_redirect_to_the_one_url(client, settings, tmp_path):
    reference = unique("FA") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    page = f"/a/{quote(reference, safe='/')}"

    for typed in (reference.lower(), reference.title(), f"{reference.lower()} "):
        moved = await client.get(f"/a/{quote(typed, safe='/')}")
        assert (moved.status_code, moved.headers["location"]) == (301, page), typed
    assert (await client.get(page)).status_code == 200
    assert (await client.get("/a/fa000000/full")).status_code == 404


async def test_find_takes_an_application_reference_in_any_case_and_opens_its_page(client, settings, tmp_path):
    reference = unique("FA") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])

    for typed in (reference, reference.lower(), f"  {reference.lower()} "):
        found = await client.get("/r", params={"reference": typed})
        assert (found.status_code, found.headers["location"]) == (303, f"/a/{quote(reference, safe='/')}"), typed

    start = await client.get("/find")
    assert re.search(r"<h1>\s*Find a report or an application\s*</h1>", start.text)
    assert "like 26/00044/FULL" in start.text


async def test_find_says_clearly_when_no_report_or_application_has_the_reference(client):
    unknown = await client.get("/r", params={"reference": "26/99999/nope"})

    assert unknown.status_code == 400
    assert "We have no report or application with the reference 26/99999/nope." in unknown.text
    assert 'aria-invalid="true"' in unknown.text and 'value="26/99999/nope"' in unknown.text


async def test_the_page_links_to_the_apps_screen_for_commenting(client, settings, tmp_path):
    reference = unique("FA") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference, **{"end-date": "2099-12-31"})])

    page = (await client.get(f"/a/{quote(reference, safe='/')}")).text

    link = re.search(r'<a href="([^"]+)">([^<]*Comment on this application[^<]*)</a>', page)
    assert link, page
    assert link.group(1) == f"/applications?reference={quote(reference, safe='')}"
    assert (await client.get(link.group(1))).status_code == 200  # the app's shell


async def test_the_api_finds_an_application_by_a_reference_typed_in_any_case(client, settings, tmp_path):
    """The app's "Know the reference?" asks the API: a reference copied from a letter in small
    letters finds the application, which answers with the council's own reference."""
    reference = unique("FA") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])

    found = await client.get(f"/api/applications/{quote(reference.lower(), safe='/')}")

    assert found.status_code == 200 and found.json()["reference"] == reference
    assert (await client.get("/api/applications/fa000000/full")).status_code == 404


async def test_find_opens_an_application_whose_reference_looks_like_a_report_s(client, settings, tmp_path):
    """Eight letters and digits of the report alphabet were always taken for a report's reference."""
    from reportit.reports.references import normalise

    reference = None
    while reference is None or normalise(reference) is None:
        reference = "PA" + unique("")[-6:].upper()
    await imported(tmp_path, settings, [planning_row(reference)])

    found = await client.get("/r", params={"reference": reference.lower()})

    assert (found.status_code, found.headers["location"]) == (303, f"/a/{reference}")
