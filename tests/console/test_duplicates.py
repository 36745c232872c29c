"""Duplicates as people meet them: the officer is asked before merging reports of different
categories, and a duplicate's public page and the reporter's list link to a public original."""

from __future__ import annotations

import json

from reportit.reports.tables import Report
from tests.api.test_reports_api import pothole, send
from tests.console.conftest import post_form


async def new(client, device, **extra) -> str:
    response = await send(client, device, pothole(**extra))
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def fly_tipping() -> dict:
    return {"category": "fly_tipping", "answers": json.dumps({"hazardous": "no"}), "description": "Mattress dumped"}


async def test_merging_different_categories_asks_for_confirmation_first(officer, client, device):
    original = await new(client, device)
    dumped = await new(client, device, **fly_tipping())

    asked = await post_form(officer, f"/console/reports/{dumped}/duplicate", {"original": original})
    assert asked.status_code == 422
    assert "is ‘Pothole’ but this report is ‘Fly-tipping’" in asked.text
    assert 'href="#confirm_merge"' in asked.text  # the error summary leads to the checkbox
    assert 'type="checkbox" id="confirm_merge" name="confirm_merge" value="yes"' in asked.text
    assert f'value="{original}"' in asked.text  # what the officer typed is kept
    assert (await Report.select(Report.duplicate_of).where(Report.reference == dumped).first())["duplicate_of"] is None

    merged = await post_form(officer, f"/console/reports/{dumped}/duplicate",
                             {"original": original, "confirm_merge": "yes"})
    assert merged.status_code == 303
    row = await Report.select(Report.status, Report.duplicate_of.reference.as_alias("original")).where(
        Report.reference == dumped).first()
    assert row == {"status": "duplicate", "original": original}


async def test_the_same_category_merges_without_asking(officer, client, device):
    original, again = await new(client, device), await new(client, device)
    merged = await post_form(officer, f"/console/reports/{again}/duplicate", {"original": original})
    assert merged.status_code == 303


async def test_a_duplicates_page_and_my_reports_link_to_a_public_original(officer, client, device):
    original, again = await new(client, device), await new(client, device)
    assert (await post_form(officer, f"/console/reports/{again}/duplicate", {"original": original})).status_code == 303

    page = await client.get(f"/r/{again}")
    spoken = f"{original[:4]}-{original[4:]}"
    assert 'class="duplicate-of"' in page.text
    assert f'<a href="http://testserver/r/{original}">report {spoken}</a>' in page.text
    mine = (await client.get("/api/me/reports", headers=device["headers"])).json()["reports"]
    [listed] = [r for r in mine if r["reference"] == again]
    assert listed["duplicate_of"] == {"reference": original, "reference_spoken": spoken,
                                      "url": f"http://testserver/r/{original}"}
    assert (await client.get(f"/api/reports/{original}")).json()["duplicate_of"] is None


async def test_a_hidden_original_is_not_linked(officer, client, device):
    original, again = await new(client, device), await new(client, device)
    assert (await post_form(officer, f"/console/reports/{again}/duplicate", {"original": original})).status_code == 303
    assert (await post_form(officer, f"/console/reports/{original}/hide", {"hidden": "1"})).status_code == 303

    page = await client.get(f"/r/{again}")
    # (the public message written at the merge, while it was public, still names it: that is history)
    assert page.status_code == 200 and 'class="duplicate-of"' not in page.text
    assert (await client.get(f"/api/reports/{again}")).json()["duplicate_of"] is None
