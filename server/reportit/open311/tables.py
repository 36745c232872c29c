"""What Open311 adds to the data: API keys, external media links, and updates already received."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from reportit.reports.tables import Report, StatusChange


class ApiKey(Table, tablename="open311_api_key"):
    """A key another system sends as `api_key`. Only its SHA-256 is stored; the prefix helps people tell keys apart."""

    name = Varchar(length=100, unique=True)
    key_hash = Varchar(length=64, unique=True, index=True)
    prefix = Varchar(length=16)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class MediaLink(Table, tablename="open311_media_link"):
    """A `media_url` sent with a request: kept as text and shown back, never fetched (that would be SSRF)."""

    report = ForeignKey(references=Report, index=True)
    position = Integer(default=0)
    url = Text()


class ReceivedUpdate(Table, tablename="open311_received_update"):
    """An update another system posted, so the same `update_id` sent twice records one change.

    `update_key` is "<api key id>:<their update_id>": update ids are only unique per sender.
    """

    update_key = Varchar(length=300, unique=True)
    report = ForeignKey(references=Report, index=True)
    status_change = ForeignKey(references=StatusChange, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
