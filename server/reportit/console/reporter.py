"""The case page's view of who reported it: whether they have a resident account and, for those
who work cases, their other reports. Wardens see none of it: they see no resident data."""

from __future__ import annotations

from reportit.accounts.identity import StaffMember
from reportit.accounts.residents import account_id_of, device_ids_of_account
from reportit.reports.tables import Report

OTHER_REPORTS = 20


async def reporter_summary(report: dict, staff: StaffMember) -> dict | None:
    if not staff.works_cases or not report["device"]:
        return None
    account_id = await account_id_of(report["device"])
    devices = await device_ids_of_account(account_id) if account_id else [report["device"]]
    others = await (Report.select(Report.reference, Report.status, Report.created_at,
                                  Report.category.name.as_alias("category"))
                    .where(Report.device.is_in(devices) & (Report.id != report["id"]))
                    .order_by(Report.created_at, ascending=False).limit(OTHER_REPORTS))
    return {"has_account": account_id is not None, "others": others}
