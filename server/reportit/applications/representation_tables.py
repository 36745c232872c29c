"""Representations on applications: what a resident wrote, who they are (for the case officer
only), when the server received it, and what the officer decided to publish."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from reportit.applications.tables import Application


class Sentiment(str, Enum):
    object = "object"
    support = "support"
    comment = "comment"


class Moderation(str, Enum):
    waiting = "waiting"  # received; not on the public register until an officer publishes it
    published = "published"  # shown redacted, per the council's policy
    withheld = "withheld"  # not shown, with the officer's reason


class Representation(Table, tablename="application_representation"):
    application = ForeignKey(references=Application, on_delete=OnDelete.cascade, index=True)
    reference = Varchar(length=100, index=True)
    sentiment = Varchar(length=8, choices=Sentiment)
    grounds = JSON(default="[]")
    text = Text(default="")
    name = Varchar(length=200)
    address = Text()
    email = Varchar(length=320)
    device = Integer(null=True, default=None)  # the phone that sent it (its id; not a key: erasure keeps this)
    account = Integer(null=True, default=None)
    idempotency_key = Varchar(length=36, null=True, default=None, unique=True)
    fingerprint = Varchar(length=64, default="")
    late = Boolean(default=False)  # received after the consultation closed (planning: still considered)
    state = Varchar(length=10, default="waiting", choices=Moderation, index=True)
    reason = Text(default="")  # why it was withheld
    moderated_by = Varchar(length=320, default="")
    moderated_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(default=TimestamptzNow(), index=True)
