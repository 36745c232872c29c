"""The accounts audit: devices joining and leaving accounts, exports and erasures, written in the
same transaction as what they record."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from reportit.accounts.tables import AccountAudit

ACTIONS = ("device_joined", "device_left", "email_changed", "exported", "erased")


async def record(account_id: int, action: str, *, actor: str, device_uuid: str = "",
                 detail: dict[str, Any] | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown account audit action {action!r}")
    await AccountAudit.insert(AccountAudit(
        account_id=account_id, action=action, device_id=device_uuid, actor=actor,
        detail=json.dumps(detail or {}, default=str), created_at=datetime.now(timezone.utc),
    ))


async def history(account_id: int, since: datetime) -> list[dict]:
    """This account's records from its creation on. `account_id` is a plain integer that outlives
    the account, and SQLite gives a new row the highest id again: an account made after an erased one
    may have its id, but not its past."""
    return await (AccountAudit.select(AccountAudit.action, AccountAudit.device_id, AccountAudit.actor,
                                      AccountAudit.created_at)
                  .where((AccountAudit.account_id == account_id) & (AccountAudit.created_at >= since))
                  .order_by(AccountAudit.id))
