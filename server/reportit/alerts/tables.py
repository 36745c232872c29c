"""What residents watch, and what alerts remember of the applications they were told about.

One model for every alert: a place and a radius (100 m to 2 km), or a ward (`ward`, by name), or
one application by its reference (following it); and what the resident wants to hear of it. The
bounding box of a place alert is kept in its own columns, so matching asks an index for the alerts
whose box holds a point (SQLite: an R*Tree kept by triggers; PostgreSQL: a GiST index over the
box) and measures the exact distance only for those.
"""

from __future__ import annotations

from enum import Enum

from piccolo.columns import (JSON, Boolean, DoublePrecision, ForeignKey, Integer, OnDelete, Timestamptz,
                             Varchar)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from reportit.accounts.tables import Device, ResidentAccount


class EmailMode(str, Enum):
    """How an alert reaches a resident by email when none of their phones takes pushes."""

    immediate = "immediate"  # one email per item
    daily = "daily"  # one digest a day, at most 20 items listed
    none = "none"  # never by email (also what one-click unsubscribe sets)


class NoticeKind(str, Enum):
    received = "received"
    changed = "changed"


EMAIL_MODES = tuple(m.value for m in EmailMode)


class Alert(Table, tablename="alert"):
    """One thing a resident watches. Belongs to the phone that saved it and, like a report, to the
    account it was saved under (or that phone's account once it signs in)."""

    device = ForeignKey(references=Device, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(references=ResidentAccount, on_delete=OnDelete.cascade, null=True, default=None,
                         index=True)
    label = Varchar(length=80, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    radius = Integer(null=True, default=None)  # metres
    # A ward alert: the ward's name as the places domain has it (its area id is not kept, since
    # `reportit areas import` replaces every ward and their ids with them).
    ward = Varchar(length=200, default="", index=True)
    # The place's bounding box (what the spatial index holds); null for an application or a ward.
    min_lat = DoublePrecision(null=True, default=None)
    max_lat = DoublePrecision(null=True, default=None)
    min_lng = DoublePrecision(null=True, default=None)
    max_lng = DoublePrecision(null=True, default=None)
    application = Varchar(length=40, default="", index=True)  # following one application by reference
    planning = Boolean(default=False)  # new planning applications in the area
    licensing = Boolean(default=False)  # new licensing applications in the area
    changes = Boolean(default=False)  # changes to the followed application, or to those in the area
    problems = Boolean(default=False)  # new reported problems in the area
    categories = JSON(default="[]")  # category codes for problems; empty: every public category
    email = Varchar(length=12, default="immediate", choices=EmailMode)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ApplicationNotice(Table, tablename="alert_application_notice"):
    """What alerts heard of an application (from the applications domain's events), kept so "about
    N a week" can be counted without reading that domain's tables."""

    reference = Varchar(length=40, index=True)
    regime = Varchar(length=16)
    kind = Varchar(length=12, choices=NoticeKind)
    latitude = DoublePrecision(null=True, default=None, index=True)
    longitude = DoublePrecision(null=True, default=None)
    heard_at = Timestamptz(default=TimestamptzNow(), index=True)
