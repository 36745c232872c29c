"""Forgetting finished notifications: the outbox keeps a row per message for as long as the
council's retention setting says (what was sent to whom, and what the push service answered),
then deletes it. Pending rows are never touched, however old."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from reportit import database
from reportit.push.tables import Notification

log = logging.getLogger(__name__)

CHUNK = 2000  # rows deleted per transaction, so senders and status changes are never held up long


async def prune_finished(now: datetime, keep: timedelta, *, chunk: int = CHUNK) -> int:
    """Delete sent, failed, gone and skipped rows last touched before `now - keep`; returns how many.

    A finished row's `next_attempt_at` is when it was last claimed (or queued): its last activity,
    and indexed."""
    cutoff = now - keep
    deleted = 0
    while True:
        async with database.write_transaction(Notification._meta.db):
            ids = [row["id"] for row in await Notification.select(Notification.id).where(
                (Notification.next_attempt_at < cutoff) & (Notification.state != "pending")).limit(chunk)]
            if ids:
                await Notification.delete().where(Notification.id.is_in(ids))
        deleted += len(ids)
        if len(ids) < chunk:
            break
    if deleted:
        log.info("event=notifications_pruned count=%d older_than=%s", deleted, cutoff.isoformat())
    return deleted
