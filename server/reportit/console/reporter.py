"""The case page's view of who reported it: whether they have a resident account and, for those
who work cases, their other reports. Wardens see none of it: they see no resident data."""

from __future__ import annotations

from reportit.accounts.identity import StaffMember
from reportit.reports.owner import owner_of_report
from reportit.reports.tables import Report

OTHER_REPORTS = 20


async def reporter_summary(report: dict, staff: StaffMember) -> dict | None:
    owner = owner_of_report(report) if staff.works_cases else None
    if owner is None:
        return None
    others = await (Report.select(Report.reference, Report.status, Report.created_at,
                                  Report.category.name.as_alias("category"))
                    .where(owner.where() & (Report.id != report["id"]))
                    .order_by(Report.created_at, ascending=False).limit(OTHER_REPORTS))
    return {"has_account": owner.account_id is not None, "others": others}
