"""Queueing messages of their own (alerts) in the notification outbox, inside the caller's
transaction, exactly like a status change's rows: nothing here sends anything.

Each addressee is one resident's alert: the working push subscriptions that reach them (every
phone of their account; found with the alert, see `alerts.matching`) and, when there are none, an
email address (their account's, confirmed by signing in). An addressee with no alert is owed the
message whatever they chose about alerts (a representation's receipt): deleting or unsubscribing
an alert never withdraws it, and a push of it that fails is emailed to the address it was queued with.
A resident whose several alerts match the same thing is told once: rows are unique per message
(its tag) and push subscription, and per message and email address. A daily digest's rows wait until the digest hour and are sent
as one email (`push/digest.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from reportit.fast_sql import insert_rows
from reportit.push.fanout import NO_SMTP
from reportit.push.message import AlertNews
from reportit.push.tables import Notification
from reportit.settings import Settings

log = logging.getLogger(__name__)

DIGEST_HOUR_UTC = 7  # a daily digest goes out at 07:00 (UTC), before most people set off
COLUMNS = ("report", "channel", "subscription", "state", "next_attempt_at", "created_at", "title", "body", "url",
           "tag", "email", "unsubscribe_url", "digest", "alert", "last_error")


@dataclass(frozen=True)
class Addressee:
    alert_id: int | None  # None: not an alert but a message owed (a receipt)
    subscriptions: tuple[int, ...]
    email: str = ""  # where an email goes when no device takes pushes ("" : nowhere)
    email_mode: str = "immediate"  # immediate | daily | none
    unsubscribe_url: str = ""


def digest_due(now: datetime) -> datetime:
    """The next digest hour after `now`."""
    today = datetime.combine(now.date(), time(DIGEST_HOUR_UTC), tzinfo=timezone.utc)
    return today if today > now else today + timedelta(days=1)


def digest_key(email: str, due: datetime) -> str:
    return f"{due:%Y-%m-%d}|{email.lower()}"


async def enqueue_alerts(items: list[tuple[AlertNews, Addressee]], settings: Settings, *,
                         report_id: int | None = None, now: datetime | None = None) -> int:
    """Write the outbox rows for these messages (many messages at once: an import's); returns how
    many are waiting to be sent."""
    if not items:
        return 0
    now = now or datetime.now(timezone.utc)
    rows: list[tuple] = []
    pushed: set[tuple[str, int]] = set()
    emailed: set[tuple[str, str]] = set()
    for news, addressee in items:
        reached = addressee.subscriptions
        email = addressee.email if addressee.email_mode != "none" else ""
        due = digest_due(now) if addressee.email_mode == "daily" else now
        digest = digest_key(email, due) if email and addressee.email_mode == "daily" else ""
        for subscription in reached:
            if (news.tag, subscription) not in pushed:
                pushed.add((news.tag, subscription))
                rows.append(_row(news, addressee, "push", now, now, report_id, subscription, email, digest))
        if not reached and email and (news.tag, email.lower()) not in emailed:
            emailed.add((news.tag, email.lower()))
            rows.append(_email_row(news, addressee, email, digest, due, now, report_id, settings))
    await insert_rows(Notification, COLUMNS, rows)
    waiting = sum(1 for r in rows if r[3] == "pending")
    log.info("event=alerts_queued messages=%d push=%d email=%d", len({news.tag for news, _ in items}),
             sum(r[1] == "push" for r in rows), sum(r[1] == "email" for r in rows))
    return waiting


def _email_row(news: AlertNews, addressee: Addressee, email: str, digest: str, due: datetime, now: datetime,
               report_id: int | None, settings: Settings) -> tuple:
    if settings.config.smtp_url:
        return _row(news, addressee, "email", due, now, report_id, None, email, digest)
    log.warning("event=email_skipped reason=no_smtp_url")
    return _row(news, addressee, "email", due, now, report_id, None, email, digest, state="skipped",
                last_error=NO_SMTP)


def _row(news: AlertNews, addressee: Addressee, channel: str, due: datetime, now: datetime, report_id: int | None,
         subscription: int | None, email: str, digest: str, *, state: str = "pending", last_error: str = "") -> tuple:
    """One outbox row, in COLUMNS' order."""
    return (report_id, channel, subscription, state, due, now, news.title[:200], news.body, news.url[:300],
            news.tag[:64], email[:320], addressee.unsubscribe_url[:500], digest[:400], addressee.alert_id, last_error)


async def email_fallback(row: dict, settings: Settings) -> bool:
    """After an alert's push finally fails: the same message by email, unless another push of it
    reached the resident or an email of it is already queued. What holds now decides, not what held
    when the push was queued: an alert deleted, switched to "no email" or unsubscribed since is not
    emailed, and the address is the account's current one. A message owed (no alert: a receipt) goes
    to the address it was queued with, whatever the resident chose about alerts."""
    if not row["email"]:
        return False
    if row["alert"]:
        from reportit.alerts.tables import Alert  # alerts' table: push's outbox only reads it here

        alert = await Alert.select(Alert.email.as_alias("mode"), Alert.account.email.as_alias("address")).where(
            Alert.id == row["alert"]).first()
        if alert is None or alert["mode"] == "none" or not alert["address"]:
            return False
        row = {**row, "email": alert["address"]}
        if row["digest"]:
            row["digest"] = digest_key(alert["address"], digest_due(datetime.now(timezone.utc)))
    same_message = (Notification.tag == row["tag"]) & (Notification.id != row["id"]) & (
        Notification.alert == row["alert"] if row["alert"] else Notification.alert.is_null())
    siblings = await Notification.exists().where(
        same_message & Notification.state.is_in(["pending", "sent"])
        & ((Notification.channel == "push") | (Notification.email == row["email"]))
    )
    if siblings:
        return False
    now = datetime.now(timezone.utc)
    due = digest_due(now) if row["digest"] else now
    news = AlertNews(row["title"], row["body"], row["url"], row["tag"])
    addressee = Addressee(row["alert"], (), row["email"], "daily" if row["digest"] else "immediate",
                          row["unsubscribe_url"])
    await insert_rows(Notification, COLUMNS, [_email_row(news, addressee, row["email"], row["digest"], due, now,
                                                         row["report"], settings)])
    return True


async def withdraw_alerts(alert_ids: list[int], reason: str) -> int:
    """Queued rows of alerts that are gone (deleted, unsubscribed, their account erased) are not sent."""
    if not alert_ids:
        return 0
    done = await Notification.update({Notification.state: "gone", Notification.last_error: reason}).where(
        Notification.alert.is_in(alert_ids) & (Notification.state == "pending")).returning(Notification.id)
    return len(done)


async def forget_alerts(alert_ids: list[int], reason: str) -> None:
    """An account is erased: its alerts' queued rows are not sent, and no row, sent or not, keeps
    its email address (in `email`, the digest key, or the unsubscribe link)."""
    if not alert_ids:
        return
    await withdraw_alerts(alert_ids, reason)
    await Notification.update({Notification.email: "", Notification.digest: "", Notification.unsubscribe_url: ""}).where(
        Notification.alert.is_in(alert_ids))


async def withdraw_emails(alert_ids: list[int], reason: str) -> int:
    """Queued alert emails of these alerts are not sent (one-click unsubscribe)."""
    if not alert_ids:
        return 0
    done = await Notification.update({Notification.state: "gone", Notification.last_error: reason}).where(
        Notification.alert.is_in(alert_ids) & (Notification.state == "pending")
        & (Notification.channel == "email")).returning(Notification.id)
    return len(done)


async def forget_owed(emails: tuple[str, ...], reason: str) -> int:
    """An account is erased: messages owed to its addresses that are no alert's (receipts) are not
    sent, and keep no address. Returns how many were waiting."""
    addresses = sorted({*emails, *(e.lower() for e in emails)})
    if not addresses:
        return 0
    owed = Notification.alert.is_null() & Notification.follow.is_null() & (Notification.title != "") & \
        Notification.email.is_in(addresses)
    withdrawn = await Notification.update({Notification.state: "gone", Notification.last_error: reason}).where(
        owed & (Notification.state == "pending")).returning(Notification.id)
    await Notification.update({Notification.email: "", Notification.digest: "", Notification.unsubscribe_url: ""}
                              ).where(owed)
    return len(withdrawn)
