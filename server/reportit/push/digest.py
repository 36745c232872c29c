"""A daily digest: every alert email queued for one address and one day goes out as one message.

Its rows are queued due at the digest hour (`alert_outbox.digest_due`) with the same `digest` key;
when the sender claims one of them it claims the rest with it, so the email lists them all. Email
claims take turns (`CLAIM_LOCK`), so no other sender holds some of a digest's rows meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from reportit.push.tables import Notification

CLAIM_LOCK = "reportit-outbox-email"  # held by every claim of email rows (database.exclusive)


async def claim_siblings(ids: list[int], now: datetime, engine: Engine) -> list[int]:
    """In the claiming transaction: the other rows of the digests these rows belong to."""
    if not ids:
        return []
    keys = sorted({r["digest"] for r in await Notification.select(Notification.digest).where(
        Notification.id.is_in(ids) & (Notification.digest != "") & (Notification.channel == "email"))})
    if not keys:
        return []
    query = Notification.select(Notification.id).where(
        Notification.digest.is_in(keys) & (Notification.state == "pending") & (Notification.channel == "email")
        & (Notification.next_attempt_at <= now) & Notification.id.not_in(ids))
    if isinstance(engine, PostgresEngine):
        query = query.lock_rows("UPDATE", skip_locked=True)
    return [row["id"] for row in await query]


def grouped(rows: list[dict]) -> list[list[dict]]:
    """Alert email rows as messages: a digest's rows together (oldest first), others one each."""
    digests: dict[str, list[dict]] = {}
    messages: list[list[dict]] = []
    for row in rows:
        if row["digest"]:
            if row["digest"] not in digests:
                digests[row["digest"]] = []
                messages.append(digests[row["digest"]])
            digests[row["digest"]].append(row)
        else:
            messages.append([row])
    return messages
