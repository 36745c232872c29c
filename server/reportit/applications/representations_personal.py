"""What a resident's representations hold about them, for "Download my data", and what an erased
account's representations keep."""

from __future__ import annotations

from typing import Any

from reportit.applications.representation_tables import Representation
from reportit.applications.representations import grounds_list
from reportit.events import AccountErased
from reportit.personal_data import Whose
from reportit.settings import Settings


async def collect(whose: Whose, settings: Settings) -> dict[str, Any]:
    where = Representation.device.is_in(list(whose.device_ids) or [-1])
    if whose.account_id is not None:
        where = where | (Representation.account == whose.account_id)
    rows = await Representation.select(*Representation.all_columns()).where(where).order_by(Representation.id)
    return {"representations": [{
        "application": r["reference"], "sentiment": r["sentiment"], "grounds": grounds_list(r), "text": r["text"],
        "name": r["name"], "address": r["address"], "email": r["email"], "late": bool(r["late"]),
        "received_at": r["received_at"].isoformat(timespec="seconds"), "moderation": r["state"]} for r in rows]}


async def forget_representor(event: AccountErased, settings: Settings) -> None:
    """An erased account's representations stay with the council (they are part of the record the
    decision was made on), but no longer point at the account or its phones."""
    await Representation.update({Representation.account: None, Representation.device: None}).where(
        (Representation.account == event.account_id) | Representation.device.is_in(list(event.device_ids) or [-1]))
