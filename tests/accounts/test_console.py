"""The console and resident accounts: the case page says whether the reporter has an account and,
for caseworkers, links their other reports (never for wardens); admins handle data requests."""

from __future__ import annotations

import re

from reportit.accounts.tables import ResidentAccount
from reportit.console.tables import AuditLog
from reportit.reports.tables import Report
from tests.accounts.conftest import new_device, new_email, sign_in
from tests.console.conftest import post_form
from tests.push.conftest import new_report


async def test_an_officer_sees_the_account_and_the_reporters_other_reports(
        push_client, officer, phone, other_phone, mailbox):
    email = new_email()
    first = await new_report(push_client, phone)
    second = await new_report(push_client, other_phone)
    stranger = await new_report(push_client, await new_device(push_client))
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)

    page = await officer.get(f"/console/reports/{first}")

    assert page.status_code == 200 and "Reporter has an account" in page.text
    # The reporter's section only: "Likely duplicates" may list anyone's report near by.
    theirs = page.text[page.text.index("Reporter's account"):page.text.index("</dl>", page.text.index("Reporter's account"))]
    assert f'href="/console/reports/{second}"' in theirs and f"/console/reports/{stranger}" not in theirs
    anonymous = await officer.get(f"/console/reports/{stranger}")
    assert "No account" in anonymous.text and "Reporter has an account" not in anonymous.text


async def test_a_warden_sees_no_resident_account_details(push_client, warden, staff, phone, mailbox):
    await sign_in(push_client, phone, mailbox, new_email())
    mine = await new_report(push_client, phone)
    # A warden can open the case only if they filed it; pretend they did, to see what the page shows.
    from piccolo.apps.user.tables import BaseUser

    user = await BaseUser.select(BaseUser.id).where(BaseUser.email == staff["warden"]).first()
    await Report.update({Report.staff_user: user["id"]}).where(Report.reference == mine)

    page = await warden.get(f"/console/reports/{mine}")

    assert page.status_code == 200
    assert "Reporter's account" not in page.text and "Reporter has an account" not in page.text


async def test_an_admin_downloads_and_erases_an_account_by_email(push_client, admin, officer, phone, mailbox):
    email = new_email()
    reference = await new_report(push_client, phone, contact_name="Sam Resident")
    await sign_in(push_client, phone, mailbox, email)
    await admin.get("/console/admin/residents")

    download = await post_form(admin, "/console/admin/residents/export", {"email": email})
    assert download.status_code == 200 and download.headers["content-disposition"].startswith("attachment")
    assert [r["reference"] for r in download.json()["reports"]] == [reference]

    unconfirmed = await post_form(admin, "/console/admin/residents/erase", {"erase_email": email, "confirm": "ok"})
    assert unconfirmed.status_code == 422 and "Type “erase” to confirm" in unconfirmed.text
    assert await ResidentAccount.exists().where(ResidentAccount.email == email)

    erased = await post_form(admin, "/console/admin/residents/erase", {"erase_email": email, "confirm": "erase"})
    assert erased.status_code == 303
    assert not await ResidentAccount.exists().where(ResidentAccount.email == email)
    assert (await Report.select(Report.contact_name).where(Report.reference == reference).first())["contact_name"] == ""
    actions = [r["action"] for r in await AuditLog.select(AuditLog.action).order_by(AuditLog.id, ascending=False).limit(2)]
    assert actions == ["account_erased", "account_exported"]

    forbidden = await post_form(officer, "/console/admin/residents/erase", {"erase_email": email, "confirm": "erase"})
    assert forbidden.status_code == 403


async def test_the_admin_form_names_what_is_wrong(admin):
    await admin.get("/console/admin/residents")
    for email, message in [("", "Enter your email address."), ("someone@nowhere.example",
                                                                 "There is no resident account with that email address.")]:
        response = await post_form(admin, "/console/admin/residents/export", {"email": email})
        assert response.status_code == 422
        assert re.search(r'class="error-summary"', response.text) and message in response.text
