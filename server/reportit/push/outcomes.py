"""Writing down what became of a batch of notifications: sent, to retry, failed or gone, with the
subscription's health and any email fallback, in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from reportit import database
from reportit.push import wakeups
from reportit.push.delivery import Outcome
from reportit.push.fanout import fall_back_to_email
from reportit.push.tables import Notification, PushSubscription
from reportit.settings import Settings

log = logging.getLogger(__name__)


async def record_outcomes(token: str, results: list[tuple[dict, Outcome]], settings: Settings, now: datetime) -> bool:
    """Write a batch's outcomes in one transaction, so the outcome, the subscription's health and
    any email fallback are seen together (and a crash can't lose the fallback). Only rows still
    claimed with `token` are written. Returns whether email fallbacks were queued."""
    emailed = False
    async with database.write_transaction(Notification._meta.db):
        ours = {r["id"] for r in await Notification.select(Notification.id).where(
            Notification.id.is_in([row["id"] for row, _ in results] or [0]) & (Notification.claim_token == token))}
        mine = [(row, outcome) for row, outcome in results if row["id"] in ours]
        # Successes (nearly all rows) are written a status code at a time, not row by row.
        sent: dict[int | None, list[dict]] = {}
        for row, outcome in mine:
            if outcome.kind == "sent":
                sent.setdefault(outcome.status, []).append(row)
        for status, rows in sent.items():
            await Notification.update(_values(Outcome("sent", status), now)).where(
                Notification.id.is_in([r["id"] for r in rows]))
            subscriptions = [r["subscription"] for r in rows if r["subscription"]]
            if subscriptions:
                await PushSubscription.update({PushSubscription.last_success_at: now,
                                               PushSubscription.failure_count: 0}
                                              ).where(PushSubscription.id.is_in(subscriptions))
        for row, outcome in mine:
            if outcome.kind == "sent":
                continue
            await Notification.update(_values(outcome, now)).where(Notification.id == row["id"])
            if row["channel"] == "push" and row["subscription"]:
                await _update_subscription(row["subscription"], outcome)
            if outcome.kind in ("failed", "gone") and row["channel"] == "push":
                emailed = await fall_back_to_email(row["id"], settings) or emailed
        if emailed:  # senders elsewhere (perhaps the one with SMTP) hear of the fallbacks at commit
            await wakeups.announce(Notification._meta.db)
    for row, outcome in results:
        _log(row, outcome, lost=row["id"] not in ours)
    return emailed


def _values(outcome: Outcome, now: datetime) -> dict:
    values: dict = {Notification.last_status: outcome.status, Notification.last_error: outcome.error[:500],
                    Notification.claim_token: ""}
    if outcome.kind == "sent":
        values.update({Notification.state: "sent", Notification.sent_at: now})
    elif outcome.kind == "retry":
        values[Notification.next_attempt_at] = outcome.retry_at
    else:
        values[Notification.state] = outcome.kind  # failed | gone | skipped
    return values


def _log(row: dict, outcome: Outcome, *, lost: bool) -> None:
    if lost:  # the lease ran out and another sender took the row over
        log.warning("event=claim_lost notification=%s reference=%s", row["id"], row["reference"])
        return
    level = logging.INFO if outcome.kind in ("sent", "retry", "skipped") else logging.WARNING
    if outcome.config_error:
        level = logging.ERROR
    log.log(level, "event=notification_%s notification=%s reference=%s channel=%s status=%s attempts=%s error=%r",
            outcome.kind, row["id"], row["reference"], row["channel"], outcome.status, row["attempts"], outcome.error)


async def _update_subscription(subscription_id: int, outcome: Outcome) -> None:
    s = PushSubscription
    if outcome.kind == "gone":
        await s.delete().where(s.id == subscription_id)
        log.info("event=subscription_removed subscription=%s status=%s", subscription_id, outcome.status)
    elif outcome.counts_against_subscription:
        await s.update({s.failure_count: s.failure_count + 1}).where(s.id == subscription_id)
