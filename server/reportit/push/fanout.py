"""Who hears about a status change: outbox rows written inside the status change's transaction.

Each follower's device gets one push row per working subscription, and so does every other device
signed in to the same resident account (asked now, so a phone that signed in after the follow
began is reached too). The reporter's own follows reach the devices of the account the report was
sent under (or the phone that sent it, signed out), not whatever account that phone is in now: a
shared tablet signed in as someone else does not pass one person's updates to another. A follower
who gave an email
address and has no working subscription gets an email row instead. Private (and hidden) reports
tell only their reporter. Nothing here sends anything: the sender drains the outbox afterwards.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from reportit.accounts.tables import Device
from reportit.push.tables import Follow, Notification, PushSubscription
from reportit.reports.tables import Report
from reportit.reports.visibility import columns, is_public
from reportit.settings import Settings

log = logging.getLogger(__name__)

# A subscription that failed this many times in a row is not relied on: email takes over.
WORKING_FAILURE_LIMIT = 3
NO_SMTP = "No SMTP server is configured (REPORTIT_SMTP_URL), so email cannot be sent."


def notifies(from_status: str, to_status: str, public_message: str) -> bool:
    """A new status always notifies; the same status notifies only with a public message."""
    return from_status != to_status or bool(public_message.strip())


async def working_subscriptions(device_ids: list[int], now: datetime) -> dict[int, list[int]]:
    """Subscription ids by device, leaving out expired and repeatedly failing ones."""
    if not device_ids:
        return {}
    rows = await PushSubscription.select(PushSubscription.id, PushSubscription.device).where(
        PushSubscription.device.is_in(device_ids)
        & (PushSubscription.failure_count < WORKING_FAILURE_LIMIT)
        & (PushSubscription.expires_at.is_null() | (PushSubscription.expires_at > now))
    )
    by_device: dict[int, list[int]] = {}
    for row in rows:
        by_device.setdefault(row["device"], []).append(row["id"])
    return by_device


async def reporter_reach(report: dict) -> list[int]:
    """The devices of the report's owner (`reports.owner`): its account's, or the phone that sent it."""
    if report["account"] is not None:
        rows = await Device.select(Device.id).where(Device.account == report["account"]).order_by(Device.id)
        return [row["id"] for row in rows]
    return [report["device"]] if report["device"] is not None else []


async def account_reach(device_ids: list[int]) -> dict[int, list[int]]:
    """For each follower device, every device of its resident account (itself alone when signed out)."""
    reach = {device_id: [device_id] for device_id in device_ids}
    if not device_ids:
        return reach
    linked = await Device.select(Device.id, Device.account).where(
        Device.id.is_in(device_ids) & Device.account.is_not_null())
    accounts = {row["account"] for row in linked}
    if not accounts:
        return reach
    members = await Device.select(Device.id, Device.account).where(Device.account.is_in(sorted(accounts)))
    by_account: dict[int, list[int]] = {}
    for row in members:
        by_account.setdefault(row["account"], []).append(row["id"])
    for row in linked:
        reach[row["id"]] = by_account[row["account"]]
    return reach


# Rows per INSERT: each row is ~20 parameters, and PostgreSQL's protocol takes at most 32,767 in one
# statement (a status change reaching 1,300 subscriptions failed whole before).
INSERT_CHUNK = 500


async def enqueue_status_change(
    *,
    report_id: int,
    status_change_id: int,
    from_status: str,
    to_status: str,
    public_message: str,
    settings: Settings,
) -> int:
    """Write the outbox rows for one status change; returns how many are waiting to be sent.

    Must run inside the caller's transaction, so the change and its notifications commit together.
    """
    if not notifies(from_status, to_status, public_message):
        return 0
    report = await Report.select(Report.reference, Report.account, Report.device, *columns()).where(
        Report.id == report_id).first()
    if report is None:
        return 0
    query = Follow.select(Follow.id, Follow.device, Follow.email, Follow.email_confirmed, Follow.reporter).where(
        Follow.report == report_id)
    if not is_public(report):
        query = query.where(Follow.reporter.eq(True))
    follows = await query.order_by(Follow.id)
    now = datetime.now(timezone.utc)
    reach = await account_reach(sorted({f["device"] for f in follows if f["device"] and not f["reporter"]}))
    owners = await reporter_reach(report)
    all_devices = {d for devices in reach.values() for d in devices} | set(owners)
    by_device = await working_subscriptions(sorted(all_devices), now)

    rows: list[Notification] = []
    seen: set[int] = set()
    for follow in follows:
        devices = owners if follow["reporter"] else reach.get(follow["device"], [])
        reached = [s for d in devices for s in by_device.get(d, [])]
        subscription_ids = [s for s in reached if s not in seen]
        seen.update(subscription_ids)
        for subscription_id in subscription_ids:
            rows.append(_row(report_id, status_change_id, "push", now,
                             follow=follow["id"], subscription=subscription_id))
        if not reached and follow["email"] and follow["email_confirmed"]:
            rows.append(_email_row(report_id, status_change_id, follow["id"], settings, now))
    for start in range(0, len(rows), INSERT_CHUNK):
        await Notification.insert(*rows[start:start + INSERT_CHUNK])
    waiting = sum(1 for r in rows if r.state == "pending")
    log.info("event=notifications_queued reference=%s to=%s push=%d email=%d", report["reference"], to_status,
             sum(r.channel == "push" for r in rows), sum(r.channel == "email" for r in rows))
    return waiting


async def fall_back_to_email(notification_id: int, settings: Settings) -> bool:
    """After a push finally fails, email the follower instead, unless another push reached them."""
    message = await Notification.select(*ALERT_COLUMNS).where(
        (Notification.id == notification_id) & (Notification.title != "")).first()
    if message is not None:
        from reportit.push.alert_outbox import email_fallback

        return await email_fallback(message, settings)
    row = await Notification.select(
        Notification.report, Notification.status_change, Notification.follow,
        Notification.follow.email.as_alias("email"), Notification.follow.email_confirmed.as_alias("confirmed"),
    ).where(Notification.id == notification_id).first()
    if row is None or not row["follow"] or not row["email"] or not row["confirmed"]:
        return False
    siblings = await Notification.exists().where(
        (Notification.status_change == row["status_change"]) & (Notification.follow == row["follow"])
        & (Notification.id != notification_id) & Notification.state.is_in(["pending", "sent"])
    )
    if siblings:
        return False
    now = datetime.now(timezone.utc)
    await Notification.insert(_email_row(row["report"], row["status_change"], row["follow"], settings, now))
    return True


ALERT_COLUMNS = (Notification.id, Notification.report, Notification.alert, Notification.title, Notification.body,
                 Notification.url, Notification.tag, Notification.email, Notification.digest,
                 Notification.unsubscribe_url)


def _email_row(report_id: int, status_change_id: int, follow_id: int, settings: Settings,
               now: datetime) -> Notification:
    if settings.config.smtp_url:
        return _row(report_id, status_change_id, "email", now, follow=follow_id)
    log.warning("event=email_skipped reason=no_smtp_url")
    return _row(report_id, status_change_id, "email", now, follow=follow_id, state="skipped", last_error=NO_SMTP)


def _row(report_id: int, status_change_id: int, channel: str, now: datetime, **values) -> Notification:
    return Notification(report=report_id, status_change=status_change_id, channel=channel,
                        next_attempt_at=now, created_at=now, **values)
