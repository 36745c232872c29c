"""Writing down what became of a batch of notifications: sent, to retry, failed or gone, with the
subscription's health and any email fallback, in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime

from piccolo.engine.base import Engine

from reportit import database
from reportit.push import claims, wakeups
from reportit.push.delivery import Outcome
from reportit.push.fanout import fall_back_to_email
from reportit.push.tables import Notification, PushSubscription
from reportit.settings import Settings

log = logging.getLogger(__name__)


async def record_outcomes(token: str, results: list[tuple[dict, Outcome]], settings: Settings, now: datetime,
                          engine: Engine | None = None) -> bool:
    """Write a batch's outcomes in one transaction, so the outcome, the subscription's health and
    any email fallback are seen together (and a crash can't lose the fallback). Only rows still
    claimed with `token` are written. Returns whether email fallbacks were queued. `engine`: the
    tables' own, or one keeping SQLite connections open for a drain (push/kept_sqlite.py)."""
    emailed = False
    async with database.write_transaction(engine or Notification._meta.db):
        # Successes (nearly all rows) go through the driver a status code at a time (push/claims.py),
        # each statement writing only the rows still ours and naming them.
        sent: dict[int | None, list[int]] = {}
        others: list[tuple[dict, Outcome]] = []
        for row, outcome in results:
            if outcome.kind == "sent":
                sent.setdefault(outcome.status, []).append(row["id"])
            else:
                others.append((row, outcome))
        ours: set[int] = set()
        for status, ids in sent.items():
            written = await claims.mark_sent(ids, token, status, now)
            ours.update(r["id"] for r in written)
            subscriptions = [r["subscription"] for r in written if r["subscription"]]
            if subscriptions:
                await claims.subscriptions_succeeded(subscriptions, now)
        if others:
            ours |= await claims.still_claimed([row["id"] for row, _ in others], token)
        for row, outcome in others:
            if row["id"] not in ours:
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
        if not outcome.attempted:  # never tried: it must not count towards giving up, nor lengthen the wait
            values[Notification.attempts] = Notification.attempts - 1
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
