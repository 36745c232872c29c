"""Download my data (UK GDPR, right of access): the account, its devices and saved places, and what
every other domain holds about it (reports with photo links, follows, notifications sent)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from reportit import database, personal_data
from reportit.accounts import audit, present, residents
from reportit.accounts.tables import AccountAudit
from reportit.problems import Problem
from reportit.settings import Settings

NO_ACCOUNT = Problem(404, "No such account", "There is no resident account with that email address.")


async def whose(account_id: int) -> tuple[dict, personal_data.Whose]:
    account = await residents.account_row(account_id)
    if account is None:
        raise NO_ACCOUNT
    devices = await residents.device_ids_of_account(account_id)
    return account, personal_data.Whose(tuple(devices), (account["email"],), account_id)


async def export_account(account_id: int, settings: Settings, *, actor: str) -> dict[str, Any]:
    account, of = await whose(account_id)
    data: dict[str, Any] = {
        "exported_at": present.iso(datetime.now(timezone.utc)),
        "service": settings.catalogue.council.name,
        "account": {"email": account["email"], "name": account["name"], "phone": account["phone"],
                    "created_at": present.iso(account["created_at"])},
        "saved_places": await residents.places_of(account_id),
        "devices": [{k: v for k, v in d.items() if k != "this_device"}
                    for d in await present.devices_json(account_id, this_device_id=-1)],
        **await personal_data.collect(of, settings),
        "account_history": [{"action": h["action"], "device": h["device_id"], "by": h["actor"],
                             "at": present.iso(h["created_at"])} for h in await audit.history(account_id, account["created_at"])],
    }
    async with database.write_transaction(AccountAudit._meta.db):
        await audit.record(account_id, "exported", actor=actor, detail={"reports": len(data.get("reports", []))})
    return data


async def export_by_email(email: str, settings: Settings, *, actor: str) -> dict[str, Any]:
    account = await residents.account_by_email(email)
    if account is None:
        raise NO_ACCOUNT
    return await export_account(account["id"], settings, actor=actor)
