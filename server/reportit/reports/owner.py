"""Whose report it is: the resident account it was sent under, or (sent by a phone that was not
signed in) that phone, until the phone signs in and the account takes it.

One rule for My reports, private pages and photos, the reporter's pushes, follows, the console's
"reporter's other reports", the data download and erasure. The account is recorded on the report
(never looked up through the phone now), so a shared tablet signing in as someone else, a lost phone
removed from an account or an erased account never moves a report to another person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.custom_types import Combinable

from reportit.accounts.residents import account_id_of
from reportit.events import DeviceJoinedAccount
from reportit.reports.tables import Report
from reportit.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Owner:
    """A resident as a reporter: their account, or a phone on its own."""

    account_id: int | None
    device_id: int | None = None

    def owns(self, report: Mapping[str, Any], prefix: str = "") -> bool:
        """`report` needs its `account` and `device` ids (under `prefix`, e.g. "report.")."""
        account = report[f"{prefix}account"]
        if self.account_id is not None:
            return account == self.account_id
        return account is None and self.device_id is not None and report[f"{prefix}device"] == self.device_id

    def where(self, report: Any = Report) -> Combinable:
        """The same rule in SQL: `report` is the Report table or a foreign key to it."""
        if self.account_id is not None:
            return report.account == self.account_id
        return (report.device == (self.device_id or -1)) & report.account.is_null()


async def owner_of_device(device_id: int) -> Owner:
    """Read fresh: signing in or out on another phone changes it."""
    return Owner(await account_id_of(device_id), device_id)


def owner_of_report(report: Mapping[str, Any]) -> Owner | None:
    """Who a report's reporter is, or None when nobody is (an erased account, Open311, staff)."""
    if report["account"] is None and report["device"] is None:
        return None
    return Owner(report["account"], report["device"])


async def adopt_reports(event: DeviceJoinedAccount, settings: Settings) -> None:
    """In the signing-in transaction: this phone's reports that are nobody's account's become the
    account's. Reports it sent under another account stay with that account."""
    adopted = await Report.update({Report.account: event.account_id}).where(
        (Report.device == event.device_id) & Report.account.is_null()).returning(Report.id)
    log.info("event=reports_joined_account account=%d reports=%d", event.account_id, len(adopted))
