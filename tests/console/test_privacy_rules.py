"""Privacy rules that casework must keep: private follows the category, wardens see only what they
filed, and a public report never points at a private one."""

from __future__ import annotations

import json

import pytest

from tests.api.test_permalinks import neighbour_noise
from tests.api.test_reports_api import send
from tests.console.conftest import post_form


async def test_moving_a_report_into_a_private_category_hides_it_from_the_public(client, officer, report):
    reference = report["reference"]
    moved = await post_form(officer, f"/console/reports/{reference}/category",
                            {"category": "noise_neighbour", "category_message": ""})
    assert moved.status_code in (200, 303), moved.text

    assert (await client.get(f"/api/reports/{reference}")).status_code == 404
    assert (await client.get(f"/r/{reference}", headers={"Accept": "text/html"})).status_code == 404
    assert (await client.get(f"/open311/v2/requests/{reference}.json")).status_code == 404

    back = await post_form(officer, f"/console/reports/{reference}/category",
                           {"category": "graffiti", "category_message": ""})
    assert back.status_code in (200, 303)
    public = await client.get(f"/api/reports/{reference}")
    assert public.status_code == 200 and public.json()["private"] is False


async def test_a_warden_sees_no_one_elses_contact_details_or_private_reports(client, device, warden, officer, report):
    reference = report["reference"]
    seen_by_warden = await warden.get(f"/api/reports/{reference}")
    assert seen_by_warden.status_code == 200
    assert "contact" not in seen_by_warden.json()

    private = (await send(client, device, {**neighbour_noise(), "answers": json.dumps({"threatened": "no"})})).json()
    assert (await warden.get(f"/api/reports/{private['reference']}")).status_code == 404
    assert (await warden.get(f"/r/{private['reference']}", headers={"Accept": "text/html"})).status_code == 404

    seen_by_officer = await officer.get(f"/api/reports/{private['reference']}")
    assert seen_by_officer.status_code == 200 and seen_by_officer.json()["contact"]["email"] == "resident@example.com"


async def test_a_public_report_cannot_be_marked_a_duplicate_of_a_private_one(client, device, officer, report):
    private = (await send(client, device, {**neighbour_noise(), "answers": json.dumps({"threatened": "no"})})).json()
    response = await post_form(officer, f"/console/reports/{report['reference']}/duplicate",
                               {"original": private["reference"]})
    assert "is not public" in response.text
    public = (await client.get(f"/api/reports/{report['reference']}")).json()
    assert public["status"]["code"] != "duplicate"
    assert private["reference"] not in json.dumps(public)


async def test_an_absurd_audit_page_number_is_a_page_not_an_error(admin):
    response = await admin.get("/console/audit", params={"page": "99999999999999999999"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/console/", "/console/map.json", "/console/dashboard", "/console/export.csv"])
async def test_a_date_at_the_end_of_time_is_a_field_error_not_a_crash(officer, path):
    response = await officer.get(path, params={"to": "9999-12-31", "from": "0001-01-01"})
    assert response.status_code in (200, 400, 422), response.text[:300]
