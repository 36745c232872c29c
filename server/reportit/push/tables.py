"""Push subscriptions, who follows which report, and the notification outbox."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from reportit.accounts.tables import Device
from reportit.reports.tables import Report, StatusChange



class Channel(str, Enum):
    """How a notification travels."""

    push = "push"
    email = "email"


class NotificationState(str, Enum):
    pending = "pending"  # waiting or claimed (a claim pushes next_attempt_at forward by the lease)
    sent = "sent"
    failed = "failed"  # gave up or refused
    gone = "gone"  # the subscription or follower went away first
    skipped = "skipped"  # nothing could carry it (no SMTP configured)


CHANNELS = tuple(c.value for c in Channel)
STATES = tuple(s.value for s in NotificationState)


class PushSubscription(Table, tablename="push_subscription"):
    """A browser's PushSubscription, as PushSubscription.toJSON() gave it, owned by a device."""

    device = ForeignKey(references=Device, on_delete=OnDelete.cascade, index=True)
    endpoint = Varchar(length=1024, unique=True, index=True)
    p256dh = Varchar(length=100)
    auth = Varchar(length=40)
    expires_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    last_success_at = Timestamptz(null=True, default=None)
    failure_count = Integer(default=0)  # consecutive; reset by a success


class Follow(Table, tablename="follow"):
    """Someone to tell about a report: a device (push), an email address (fallback), or both.

    The reporter's row carries both, so an email goes out only when their phone cannot be reached.
    """

    report = ForeignKey(references=Report, on_delete=OnDelete.cascade, index=True)
    device = ForeignKey(references=Device, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    email = Varchar(length=320, default="")
    # Updates are emailed only to a confirmed address: anyone could type a stranger's. The
    # reporter's contact email counts as confirmed; a follower's waits for the link we send.
    email_confirmed = Boolean(default=False)
    reporter = Boolean(default=False)  # private reports notify only this row
    created_at = Timestamptz(default=TimestamptzNow())


class Notification(Table, tablename="notification_outbox"):
    """One message to one push subscription or one email address.

    Either about a status change (`status_change` set: the words are the status's, made at sending
    time) or a message of its own (`title` set: an alert, worded when it was queued, pointing at
    `url`, e.g. /a/{reference}; `report` is set when the alert is about a report, so a report hidden
    since is not announced).
    """

    report = ForeignKey(references=Report, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    status_change = ForeignKey(references=StatusChange, on_delete=OnDelete.cascade, null=True, default=None,
                               index=True)
    channel = Varchar(length=8, choices=Channel)
    subscription = ForeignKey(references=PushSubscription, on_delete=OnDelete.set_null, null=True, default=None,
                              index=True)
    follow = ForeignKey(references=Follow, on_delete=OnDelete.set_null, null=True, default=None, index=True)
    state = Varchar(length=8, default="pending", choices=NotificationState, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    claim_token = Varchar(length=32, default="")
    claimed_at = Timestamptz(null=True, default=None)
    last_status = Integer(null=True, default=None)  # the push service's or SMTP server's answer
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    # A message of its own (alerts): what the push or email says, and where it leads.
    title = Varchar(length=200, default="")
    body = Text(default="")
    url = Varchar(length=300, default="")  # a path on this service: /a/{reference}, /r/{reference}
    tag = Varchar(length=64, default="")  # the push's tag and Topic: a newer message replaces an older one
    email = Varchar(length=320, default="")  # where an email row goes (a push row: where its fallback would)
    unsubscribe_url = Varchar(length=500, default="")
    digest = Varchar(length=400, default="", index=True)  # email rows with one key go out as one digest
    alert = Integer(null=True, default=None, index=True)  # the alert that asked for it (no foreign key:
    # push knows nothing of alerts' tables)
