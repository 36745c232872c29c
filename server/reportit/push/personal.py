"""What push keeps about a resident, as personal data: follows, push subscriptions and the
notifications sent to them. Gathered for "Download my data"; deleted when the account is erased."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

from reportit.events import AccountErased
from reportit.personal_data import Whose
from reportit.push.alert_outbox import forget_owed
from reportit.push.tables import Follow, Notification, PushSubscription
from reportit.settings import Settings

log = logging.getLogger(__name__)


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _theirs(whose: Whose):
    where = Follow.device.is_in(list(whose.device_ids) or [-1])
    for email in whose.emails:
        where = where | (Follow.email == email)
    return where


async def collect(whose: Whose, settings: Settings) -> dict[str, Any]:
    follows = await (Follow.select(Follow.id, Follow.report.reference.as_alias("reference"), Follow.email,
                                   Follow.reporter, Follow.created_at)
                     .where(_theirs(whose)).order_by(Follow.id))
    subscriptions = await (PushSubscription.select(PushSubscription.endpoint, PushSubscription.created_at,
                                                   PushSubscription.last_success_at)
                           .where(PushSubscription.device.is_in(list(whose.device_ids) or [-1]))
                           .order_by(PushSubscription.id))
    sent = await (Notification.select(Notification.report.reference.as_alias("reference"), Notification.channel,
                                      Notification.state, Notification.created_at, Notification.sent_at,
                                      Notification.status_change.to_status.as_alias("status"))
                  .where(Notification.follow.is_in([f["id"] for f in follows] or [-1])).order_by(Notification.id))
    return {
        "follows": [{"reference": f["reference"], "email": f["email"], "reporter": f["reporter"],
                     "since": _iso(f["created_at"])} for f in follows],
        "push_subscriptions": [{"push_service": urlparse(s["endpoint"]).hostname, "since": _iso(s["created_at"]),
                                "last_delivered": _iso(s["last_success_at"])} for s in subscriptions],
        "notifications": [{"reference": n["reference"], "status": n["status"], "channel": n["channel"],
                           "state": n["state"], "queued_at": _iso(n["created_at"]), "sent_at": _iso(n["sent_at"])}
                          for n in sent],
    }


async def forget_follower(event: AccountErased, settings: Settings) -> None:
    """In the erasing transaction: the account's follows (by device or by its email address) and its
    devices' push subscriptions go; queued notifications for them become `gone` by the foreign keys, and
    messages owed to its addresses (receipts) are withdrawn and forget the address."""
    whose = Whose(event.device_ids, event.emails)
    follows = await Follow.select(Follow.id).where(_theirs(whose))
    if follows:
        await Follow.delete().where(Follow.id.is_in([f["id"] for f in follows]))
    subscriptions = await PushSubscription.select(PushSubscription.id).where(
        PushSubscription.device.is_in(list(event.device_ids) or [-1]))
    if subscriptions:
        await PushSubscription.delete().where(PushSubscription.id.is_in([s["id"] for s in subscriptions]))
    owed = await forget_owed(event.emails, "the account was erased")
    log.info("event=follower_forgotten account=%d follows=%d subscriptions=%d owed_withdrawn=%d", event.account_id,
             len(follows), len(subscriptions), owed)
