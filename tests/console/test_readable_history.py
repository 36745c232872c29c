"""The audit log and a case's timeline in words: status names from the catalogue, not codes, and
who acted as an email (or "You"), not `staff:you@…`."""

from __future__ import annotations

from tests.console.conftest import post_form


async def test_the_audit_log_shows_status_and_category_names_not_codes(admin, officer, report, staff):
    reference = report["reference"]
    await post_form(officer, f"/console/reports/{reference}/status",
                    {"status": "action_scheduled", "public_message": "Booked for Tuesday"})
    await post_form(officer, f"/console/reports/{reference}/category", {"category": "fly_tipping"})
    page = (await admin.get("/console/audit", params={"reference": reference})).text
    assert "action_scheduled" not in page and "status: " not in page
    assert "Status: Received" in page and "Status: Action scheduled; Public message: Booked for Tuesday" in page
    assert "Category: Pothole" in page and "Category: Fly-tipping" in page
    assert f"<td>{staff['officer']}</td>" in page


async def test_the_case_timeline_names_people_not_internal_labels(officer, admin, report, staff):
    reference = report["reference"]
    await post_form(officer, f"/console/reports/{reference}/status", {"status": "investigating"})
    mine = (await officer.get(f"/console/reports/{reference}")).text
    assert "staff:" not in mine
    assert "· You</p>" in mine
    theirs = (await admin.get(f"/console/reports/{reference}")).text
    assert f"· {staff['officer']}</p>" in theirs and "staff:" not in theirs
