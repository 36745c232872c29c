"""Following a report: the reporter automatically, anyone else by asking; unsubscribing by email."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from reportit import database
from reportit.push.email import token_follow_id, token_matches
from reportit.accounts.tables import Device
from reportit.push.tables import Follow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Followed:
    created: bool  # this device was not following the report before
    follow_id: int
    email_confirmed: bool  # False with an email: updates wait until the address is confirmed


async def follow_own_report(report_id: int, device_id: int | None, email: str) -> int | None:
    """Called inside intake's transaction: the reporter hears about their own report.

    The address typed on the report form is emailed updates only once it is known to be theirs: the
    signed-in account's own address (confirmed by its sign-in code), or one this device confirmed
    before. Otherwise anyone could have the council email a stranger about every report they make,
    so the follow starts unconfirmed and the caller sends one confirmation link after the commit.
    Returns the id of a follow that waits for that link, or None."""
    email = email.strip()
    if device_id is None and not email:
        return None
    confirmed = bool(email) and await _known_to_be_theirs(device_id, email)
    follow = Follow(report=report_id, device=device_id, email=email, email_confirmed=confirmed, reporter=True,
                    created_at=datetime.now(timezone.utc))
    await follow.save()
    return follow.id if email and not confirmed else None


async def _known_to_be_theirs(device_id: int | None, email: str) -> bool:
    if device_id is None:
        # No app: an Open311 client or the console recorded the report on the resident's behalf and
        # answers for the address they were given.
        return True
    account_email = await Device.select(Device.account.email.as_alias("email")).where(Device.id == device_id).first()
    if account_email and account_email["email"] and account_email["email"].lower() == email.lower():
        return True
    confirmed = await Follow.select(Follow.email).where((Follow.device == device_id) & Follow.email_confirmed.eq(True))
    return any(row["email"].lower() == email.lower() for row in confirmed)


async def follow_original(duplicate_id: int, original_id: int) -> int:
    """Copy a duplicate's followers onto its original, skipping anyone already following it; returns
    how many were copied. The copies are not the original's reporter, so a private original still
    tells only its own. Runs inside the caller's transaction (marking the duplicate)."""
    follows = await Follow.select(Follow.device, Follow.email, Follow.email_confirmed).where(
        Follow.report == duplicate_id).order_by(Follow.id)
    present = await Follow.select(Follow.device, Follow.email).where(Follow.report == original_id)
    devices = {f["device"] for f in present if f["device"]}
    emails = {f["email"].lower() for f in present if f["email"] and not f["device"]}
    now = datetime.now(timezone.utc)
    rows = []
    for follow in follows:
        if follow["device"] and follow["device"] in devices:
            continue
        if not follow["device"] and (not follow["email"] or follow["email"].lower() in emails):
            continue
        devices.add(follow["device"])
        emails.add(follow["email"].lower())
        rows.append(Follow(report=original_id, device=follow["device"], email=follow["email"],
                           email_confirmed=follow["email_confirmed"], reporter=False, created_at=now))
    if rows:
        await Follow.insert(*rows)
    return len(rows)


async def follow(report_id: int, device_id: int, email: str | None = None, *, reporter: bool = False) -> Followed:
    """Follow a report on this device. With `email`, updates go there whenever this device has no
    working push subscription (the app offers it where push is impossible, e.g. iOS outside the
    installed app), once the address is confirmed: an address this device confirmed before counts.
    `reporter`: the follower is the report's own reporter, whose follow a private report honours."""
    async with database.write_transaction(Follow._meta.db):
        where = (Follow.report == report_id) & (Follow.device == device_id)
        row = await Follow.select(Follow.id, Follow.email, Follow.email_confirmed, Follow.reporter).where(where).first()
        known = bool(email) and await Follow.exists().where(
            (Follow.device == device_id) & (Follow.email == email) & Follow.email_confirmed.eq(True))
        if row is None:
            created = Follow(report=report_id, device=device_id, email=email or "", email_confirmed=known,
                             reporter=reporter, created_at=datetime.now(timezone.utc))
            await created.save()
            return Followed(True, created.id, known)
        if reporter and not row["reporter"]:
            await Follow.update({Follow.reporter: True}).where(Follow.id == row["id"])
        confirmed = row["email_confirmed"]
        if email and (email.lower() != row["email"].lower() or (known and not confirmed)):
            confirmed = known
            await Follow.update({Follow.email: email, Follow.email_confirmed: confirmed}).where(Follow.id == row["id"])
        return Followed(False, row["id"], confirmed)


async def unfollow(report_id: int, device_id: int) -> None:
    """Stop everything about this report for this device, including the reporter's email fallback:
    someone who turns updates off in the app does not expect emails instead."""
    await Follow.delete().where((Follow.report == report_id) & (Follow.device == device_id))


async def email_follow(secret_key: str, token: str) -> dict | None:
    """The follow an unsubscribe link is for, with its report reference; None if the link is stale."""
    follow_id = token_follow_id(token)
    if follow_id is None:
        return None
    row = await Follow.select(Follow.id, Follow.email, Follow.device, Follow.report.reference.as_alias("reference")
                              ).where(Follow.id == follow_id).first()
    if row is None or not token_matches(secret_key, token, row["id"], row["email"]):
        return None
    return row


async def unsubscribe_email(secret_key: str, token: str) -> dict | None:
    """Stop emails for this follow; push to the reporter's phone (if any) carries on."""
    row = await email_follow(secret_key, token)
    if row is None:
        return None
    if row["device"] is None:
        await Follow.delete().where(Follow.id == row["id"])
    else:
        await Follow.update({Follow.email: "", Follow.email_confirmed: False}).where(Follow.id == row["id"])
    log.info("event=email_unsubscribed reference=%s", row["reference"])
    return row
