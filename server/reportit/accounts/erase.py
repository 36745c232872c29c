"""Delete my account (UK GDPR, right to erasure), in one transaction.

Reports stay as the council's public record, with contact details and device links removed and the
photos of private reports deleted (the reports domain does that); follows and push subscriptions go
(push does that); alerts go, with what they had queued (alerts does that); representations stay
with the name, address and email given, unlinked from the account and its phones (applications does
that: they are the record a decision was made on); the account, its saved places and codes go; the
devices stay registered, signed out, so the phone's app keeps working and keeps anything it has not
sent yet. DELETED and KEPT say exactly this to the resident: change them with the handlers.
"""

from __future__ import annotations

import logging

from reportit import database, events
from reportit.accounts import audit
from reportit.accounts.export import NO_ACCOUNT, whose
from reportit.accounts.residents import account_by_email
from reportit.accounts.tables import Device, ResidentAccount, SignInCode
from reportit.settings import Settings

log = logging.getLogger(__name__)

DELETED = [
    "your account: email address, name and phone number",
    "your saved places",
    "the link between your reports and your phones, and the contact details on your reports",
    "the photos of reports in private categories",
    "your follows, push subscriptions and email updates",
    "your alerts (the places, wards and applications you watch) and any alerts not yet sent to you",
    "the link between your comments on applications and your account and phones, and any receipts for them not yet sent",
]
KEPT = [
    "your reports, their public photos and status history, with no name, email, phone or device: the council "
    "must keep them as a public record",
    "your comments on planning and licensing applications (representations), with the name, full address and "
    "email address you gave: they are part of the legal record the council decides applications on. The public "
    "register never shows your name, full address or email address",
    "a note that an account was erased, with no email address",
]


async def erase_account(account_id: int, settings: Settings, *, actor: str) -> dict:
    async with database.write_transaction(ResidentAccount._meta.db):
        account, of = await whose(account_id)
        await events.publish(events.AccountErased(account_id, of.device_ids, of.emails), settings)
        await Device.update({Device.account: None, Device.linked_at: None, Device.user_agent: ""}).where(
            Device.id.is_in(list(of.device_ids) or [-1]))
        await SignInCode.delete().where((SignInCode.email == account["email"]) | (SignInCode.account == account_id))
        await ResidentAccount.delete().where(ResidentAccount.id == account_id)
        await audit.record(account_id, "erased", actor=actor, detail={"devices": len(of.device_ids)})
    log.info("event=account_erased account=%d devices=%d actor=%s", account_id, len(of.device_ids), actor)
    return {"erased": True, "deleted": DELETED, "kept": KEPT}


async def erase_by_email(email: str, settings: Settings, *, actor: str) -> dict:
    account = await account_by_email(email)
    if account is None:
        raise NO_ACCOUNT
    return await erase_account(account["id"], settings, actor=actor)
