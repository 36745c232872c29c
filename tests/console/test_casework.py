"""Working a case from the console: status with a template, notes, assignment, category, hiding."""

from __future__ import annotations

import json
import re

from reportit.console.tables import AuditLog, CaseNote
from reportit.reports.tables import Report, StatusChange
from tests.console.conftest import post_form

INTERNAL = "Contractor ABC owes us a favour - internal only"


async def audit_rows(reference: str, action: str) -> list[dict]:
    report = await Report.select(Report.id).where(Report.reference == reference).first()
    rows = await AuditLog.select().where((AuditLog.report == report["id"]) & (AuditLog.action == action))
    for row in rows:
        row["before"], row["after"] = json.loads(row["before"]), json.loads(row["after"])
    return rows


async def test_the_case_page_shows_everything_an_officer_needs(officer, report):
    page = await officer.get(f"/console/reports/{report['reference']}")
    assert page.status_code == 200
    text = page.text
    assert f"Case {report['reference_spoken']}" in text
    assert "51.497500, -0.135700" in text  # coordinates, with or without map tiles
    assert "Is anyone in immediate danger?" in text and "Bigger than a dinner plate" in text
    assert "Reported as Received" in text
    assert 'data-text="Thank you for report ' in text  # response templates, filled in for this case
    assert "Pothole filled" in text  # category-specific template offered for potholes


async def test_without_javascript_use_template_fills_the_message_to_edit(officer, report):
    reference = report["reference"]
    page = await post_form(officer, f"/console/reports/{reference}/status",
                           {"template": "pothole_fixed", "action": "use_template", "status": "received"})
    assert page.status_code == 200
    spoken = report["reference_spoken"]
    assert f"We filled the pothole you reported ({spoken})." in page.text
    assert re.search(r'<option value="fixed" selected>', page.text)
    assert (await Report.select(Report.status).where(Report.reference == reference).first())["status"] == "received"


async def test_a_status_change_with_a_template_reaches_the_public_page_but_the_internal_note_never_does(
        client, officer, report, staff):
    reference = report["reference"]
    message = f"We filled the pothole you reported ({report['reference_spoken']}). Thank you for helping keep the roads safe."
    response = await post_form(officer, f"/console/reports/{reference}/status", {
        "template": "pothole_fixed", "action": "save", "status": "fixed", "public_message": message,
        "internal_note": INTERNAL,
    })
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/reports/{reference}?done=status#top"

    public_page = await client.get(f"/r/{reference}")
    assert "Fixed" in public_page.text and message in public_page.text
    public_json = await client.get(f"/api/reports/{reference}")
    assert public_json.json()["status"]["code"] == "fixed"
    for body in (public_page.text, public_json.text):
        assert INTERNAL not in body and "Contractor ABC" not in body

    change = await StatusChange.select().where(StatusChange.to_status == "fixed").order_by(
        StatusChange.id, ascending=False).first()
    assert change["internal_note"] == INTERNAL and change["actor"] == f"staff:{staff['officer']}"
    [row] = await audit_rows(reference, "status_changed")
    assert row["actor"] == staff["officer"]
    assert row["before"] == {"status": "received"}
    assert row["after"]["status"] == "fixed" and row["after"]["public_message"] == message

    case = await officer.get(response.headers["location"])
    assert "Status saved." in case.text and INTERNAL in case.text and "Internal, not shown to the public" in case.text


async def test_an_unchanged_status_with_nothing_to_say_is_an_error(officer, report):
    response = await post_form(officer, f"/console/reports/{report['reference']}/status",
                               {"status": "received", "action": "save"})
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'href="#status"' in response.text


async def test_an_internal_note_is_kept_for_staff_only(client, officer, report):
    reference = report["reference"]
    response = await post_form(officer, f"/console/reports/{reference}/note", {"note": INTERNAL})
    assert response.status_code == 303
    assert await CaseNote.count().where(CaseNote.text == INTERNAL) >= 1
    assert INTERNAL in (await officer.get(f"/console/reports/{reference}")).text
    assert INTERNAL not in (await client.get(f"/r/{reference}")).text
    assert INTERNAL not in (await client.get(f"/api/reports/{reference}")).text
    assert len(await audit_rows(reference, "note_added")) == 1
    empty = await post_form(officer, f"/console/reports/{reference}/note", {"note": "  "})
    assert empty.status_code == 422 and "Write the note" in empty.text


async def test_assigning_to_me_puts_the_case_in_my_list(officer, report, staff):
    reference = report["reference"]
    assert (await post_form(officer, f"/console/reports/{reference}/assign", {"action": "me"})).status_code == 303
    mine = await officer.get("/console/", params={"mine": "1"})
    assert report["reference_spoken"] in mine.text
    [row] = await audit_rows(reference, "assigned")
    assert row["before"] == {"assigned_to": None} and row["after"]["email"] == staff["officer"]
    bad = await post_form(officer, f"/console/reports/{reference}/assign", {"assignee": "999999", "action": "assign"})
    assert bad.status_code == 422 and "Choose an officer from the list" in bad.text


async def test_changing_category_with_a_message_tells_the_public_page(client, officer, report):
    reference = report["reference"]
    response = await post_form(officer, f"/console/reports/{reference}/category",
                               {"category": "broken_paving", "category_message": "This is the pavement, not the road."})
    assert response.status_code == 303
    public = await client.get(f"/api/reports/{reference}")
    assert public.json()["category"]["code"] == "broken_paving"
    assert public.json()["history"][-1]["message"] == "This is the pavement, not the road."
    [row] = await audit_rows(reference, "category_changed")
    assert row["before"] == {"category": "pothole"} and row["after"]["category"] == "broken_paving"


async def test_hiding_a_report_takes_it_off_the_public_pages_only(client, officer, report):
    reference = report["reference"]
    assert (await post_form(officer, f"/console/reports/{reference}/hide", {"hidden": "1"})).status_code == 303
    assert (await client.get(f"/r/{reference}")).status_code == 404
    assert (await client.get(f"/api/reports/{reference}")).status_code == 404
    assert (await officer.get(f"/console/reports/{reference}")).status_code == 200
    assert len(await audit_rows(reference, "report_hidden")) == 1
    assert (await post_form(officer, f"/console/reports/{reference}/hide", {"hidden": "0"})).status_code == 303
    assert (await client.get(f"/r/{reference}")).status_code == 200


async def test_an_unknown_case_is_a_404_page(officer):
    response = await officer.get("/console/reports/ZZZZZZZZ", headers={"accept": "text/html"})
    assert response.status_code == 404 and "Case not found" in response.text
