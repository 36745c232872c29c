"""Resident accounts: which devices belong to whom, joining and leaving, and the profile.

A report records the account it was sent under (the reports domain keeps it, `reports.owner`), and
a phone joining an account hands over the reports it sent while signed out, so a report never moves
to another person when a shared phone signs in as someone else.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from reportit import database, events
from reportit.accounts import audit
from reportit.accounts.tables import Device, ResidentAccount, SavedPlace, SignInCode
from reportit.settings import Settings

log = logging.getLogger(__name__)


async def account_id_of(device_id: int) -> int | None:
    """Read fresh, never from the device cache: signing in or out elsewhere changes it."""
    row = await Device.select(Device.account).where(Device.id == device_id).first()
    return row["account"] if row else None


async def device_ids_of_account(account_id: int) -> list[int]:
    rows = await Device.select(Device.id).where(Device.account == account_id).order_by(Device.id)
    return [r["id"] for r in rows]


async def account_row(account_id: int) -> dict | None:
    return await ResidentAccount.select(*ResidentAccount.all_columns()).where(ResidentAccount.id == account_id).first()


async def account_by_email(email: str) -> dict | None:
    return await ResidentAccount.select(*ResidentAccount.all_columns()).where(
        ResidentAccount.email == email.strip().lower()).first()


async def places_of(account_id: int) -> list[dict]:
    return await (SavedPlace.select(SavedPlace.label, SavedPlace.address, SavedPlace.latitude, SavedPlace.longitude)
                  .where(SavedPlace.account == account_id).order_by(SavedPlace.position, SavedPlace.id))


async def join(device: Device, email: str, *, user_agent: str, settings: Settings, actor: str = "resident") -> int:
    """Sign this device in to the account for `email` (made now if it is new); returns its id.
    Runs inside the caller's write transaction, which also spends the code."""
    now = datetime.now(timezone.utc)
    # Insert-or-nothing, then read: two phones making the same new account at once both end up in
    # it (PostgreSQL makes the second insert wait for the first, then skip), with no unique violation.
    created = await (ResidentAccount.insert(ResidentAccount(email=email, created_at=now, updated_at=now))
                     .on_conflict(target=ResidentAccount.email, action="DO NOTHING").returning(ResidentAccount.id))
    account = await account_by_email(email)
    assert account is not None
    account_id = account["id"]
    previous = await account_id_of(device.id)
    if previous is not None and previous != account_id:  # signing in as someone else leaves the first
        await audit.record(previous, "device_left", actor=actor, device_uuid=str(device.device_id))
    await Device.update({Device.account: account_id, Device.linked_at: now, Device.last_seen_at: now,
                         Device.user_agent: user_agent[:300]}).where(Device.id == device.id)
    await events.publish(events.DeviceJoinedAccount(account_id=account_id, device_id=device.id), settings)
    await audit.record(account_id, "device_joined", actor=actor, device_uuid=str(device.device_id),
                       detail={"new_account": bool(created)})
    log.info("event=device_joined_account account=%d device=%s", account_id, device.device_id)
    return account_id


async def leave(account_id: int, device_ids: list[int], *, actor: str = "resident") -> int:
    """Sign these devices out of the account; returns how many were signed in. The reports they sent
    stay the account's (a lost phone shows none of them), and what the app has not sent yet stays on
    the phone, to be sent as the phone's own."""
    async with database.write_transaction(Device._meta.db):
        rows = await Device.select(Device.id, Device.device_id).where(
            (Device.account == account_id) & Device.id.is_in(device_ids or [-1]))
        if not rows:
            return 0
        await Device.update({Device.account: None, Device.linked_at: None}).where(
            Device.id.is_in([r["id"] for r in rows]))
        for row in rows:
            await audit.record(account_id, "device_left", actor=actor, device_uuid=str(row["device_id"]))
    return len(rows)


async def update_profile(account_id: int, *, name: str | None, phone: str | None,
                         places: list[dict] | None) -> None:
    now = datetime.now(timezone.utc)
    changes: dict = {ResidentAccount.updated_at: now}
    if name is not None:
        changes[ResidentAccount.name] = name
    if phone is not None:
        changes[ResidentAccount.phone] = phone
    async with database.write_transaction(ResidentAccount._meta.db):
        await ResidentAccount.update(changes).where(ResidentAccount.id == account_id)
        if places is not None:
            await SavedPlace.delete().where(SavedPlace.account == account_id)
            if places:
                await SavedPlace.insert(*(SavedPlace(account=account_id, position=i, **place)
                                          for i, place in enumerate(places)))


async def email_taken(email: str, account_id: int) -> bool:
    return await ResidentAccount.exists().where((ResidentAccount.email == email) & (ResidentAccount.id != account_id))


async def change_email(account_id: int, email: str, *, actor: str = "resident") -> None:
    """Inside the caller's write transaction (which spends the code sent to the new address). Codes
    still out for the old address go: they would sign in to a new account under an address the
    resident has just left."""
    old = await account_row(account_id)
    if old is not None:
        await SignInCode.delete().where(SignInCode.email == old["email"])
    await ResidentAccount.update({ResidentAccount.email: email, ResidentAccount.updated_at: datetime.now(timezone.utc)}
                                 ).where(ResidentAccount.id == account_id)
    await audit.record(account_id, "email_changed", actor=actor)
