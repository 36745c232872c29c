"""The dashboard, the audit log page and staff administration."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from reportit.accounts.tables import StaffRole
from reportit.console.tables import AuditLog
from reportit.reports.tables import Report, StatusChange
from tests.api.test_reports_api import pothole, send
from tests.console.conftest import PASSWORD, new_client, post_form, sign_in


async def test_the_dashboard_shows_weekly_counts_medians_sla_and_a_heatmap(officer, client, device):
    word = f"dash{secrets.token_hex(3)}"
    references = []
    for _ in range(2):
        response = await send(client, device, pothole(description=word))
        references.append(response.json()["reference"])
    # One report arrived 10 days ago and was answered 2 hours later, then fixed a day after that.
    past = datetime.now(timezone.utc) - timedelta(days=10)
    report = await Report.select(Report.id).where(Report.reference == references[0]).first()
    await Report.update({Report.created_at: past}).where(Report.id == report["id"])
    await StatusChange.insert(
        StatusChange(report=report["id"], from_status="received", to_status="investigating", created_at=past + timedelta(hours=2)),
        StatusChange(report=report["id"], from_status="investigating", to_status="fixed", created_at=past + timedelta(hours=26)))
    await Report.update({Report.status: "fixed"}).where(Report.id == report["id"])

    page = await officer.get("/console/dashboard", params={"q": word})
    assert page.status_code == 200
    text = page.text
    assert "2 reports match these filters" in text
    assert "Median time to first response" in text and "2.0 hours" in text
    assert "Median time to fix" in text and "26.0 hours" in text
    assert "<caption>Reports received each week (weeks start on Monday), by group</caption>" in text
    assert "Streets and pavements" in text
    assert 'data-heatmap="{' in text and "Busiest wards" in text and "Busiest streets" in text
    assert "Open and overdue cases per category with an SLA" in text


async def test_the_audit_log_page_lists_actions_with_before_and_after(admin, officer, report, staff):
    await post_form(officer, f"/console/reports/{report['reference']}/note", {"note": "Checked on site"})
    page = await admin.get("/console/audit", params={"reference": report["reference"]})
    assert page.status_code == 200
    assert "Added an internal note" in page.text and staff["officer"] in page.text and "Checked on site" in page.text
    by_action = await admin.get("/console/audit", params={"action": "signed_in"})
    assert "Signed in" in by_action.text


async def test_an_admin_adds_staff_who_can_then_sign_in_and_changes_their_role(app, admin, staff):
    email = f"new-{secrets.token_hex(3)}@council.example"
    bad = await post_form(admin, "/console/admin/staff", {"email": "nope", "role": "officer", "password": "short"})
    assert bad.status_code == 422 and 'href="#email"' in bad.text and 'href="#password"' in bad.text
    added = await post_form(admin, "/console/admin/staff", {"email": email, "role": "warden", "password": PASSWORD})
    assert added.status_code == 303
    async with new_client(app) as newcomer:
        assert (await sign_in(newcomer, email)).status_code == 303
        assert (await newcomer.get("/console/dashboard")).status_code == 403

    row = await StaffRole.select(StaffRole.user).where(StaffRole.user.email == email).first()
    changed = await post_form(admin, f"/console/admin/staff/{row['user']}/role", {"role": "officer"})
    assert changed.status_code == 303
    assert (await StaffRole.select(StaffRole.role).where(StaffRole.user == row["user"]).first())["role"] == "officer"
    audit = await AuditLog.select().where((AuditLog.action == "role_changed") & (AuditLog.target == email)).first()
    assert audit["actor"] == staff["admin"] and '"warden"' in audit["before"] and '"officer"' in audit["after"]
    page = await admin.get("/console/admin")
    assert email in page.text and "SLA days" in page.text and "Pothole filled" in page.text


async def test_an_admin_cannot_remove_their_own_admin_role(admin, staff):
    row = await StaffRole.select(StaffRole.user).where(StaffRole.user.email == staff["admin"]).first()
    response = await post_form(admin, f"/console/admin/staff/{row['user']}/role", {"role": "officer"})
    assert response.status_code == 422 and "You cannot remove your own admin role" in response.text


async def test_the_weekly_table_has_no_column_for_a_group_that_can_never_have_reports(officer):
    # "Reported elsewhere" holds only signposts (police, NHS 111, TfL): residents are sent to the
    # partner and nothing is stored, so its column could only ever say 0.
    page = (await officer.get("/console/dashboard")).text
    weekly = page[page.index("Reports received each week"):page.index("</table>", page.index("Reports received each week"))]
    assert '<th scope="col">Reported elsewhere</th>' not in weekly
    assert '<th scope="col">Streets and pavements</th>' in weekly


async def test_the_weekly_chart_gets_the_tables_figures_and_a_vendored_library_with_its_licence(officer):
    import json
    import re
    from html import unescape

    page = (await officer.get("/console/dashboard")).text
    panel = re.search(r'<figure class="chart" id="weekly-chart" data-chart="([^"]+)" hidden>', page)
    data = json.loads(unescape(panel.group(1)))
    assert len(data["weeks"]) >= 12 and all(isinstance(w, int) for w in data["weeks"])
    assert "Streets and pavements" in [s["name"] for s in data["series"]]
    assert all(len(s["counts"]) == len(data["weeks"]) for s in data["series"])
    assert page.index('id="weekly-chart"') < page.index("Reports received each week")  # the table stays
    library = await officer.get("/console/static/uplot.esm.js")
    assert library.status_code == 200 and "export { uPlot as default }" in library.text
    licence = await officer.get("/console/static/uplot.LICENSE.txt")
    assert "MIT License" in licence.text and "uPlot 1.6.32" in licence.text
