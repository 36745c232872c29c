"""Planning and licensing applications: one versioned model for both regimes.

`ApplicationVersion` rows are never changed or deleted: each import, feed poll or console decision
that changes anything adds one, with the fields it changed. `Application` holds the latest version's
values (and points at it), so lists, maps and the radius query read one indexed table.
"""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, Boolean, Date, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Regime(str, Enum):
    planning = "planning"
    licensing = "licensing"


class ApplicationStatus(str, Enum):
    received = "received"
    validated = "validated"
    under_consultation = "under_consultation"
    decided = "decided"
    withdrawn = "withdrawn"
    appealed = "appealed"


class VersionSource(str, Enum):
    import_file = "import"
    feed = "feed"
    console = "console"
    demo = "demo"


class Application(Table, tablename="application"):
    reference = Varchar(length=100, unique=True, index=True)
    regime = Varchar(length=16, choices=Regime, index=True)
    application_type = Varchar(length=100, default="")
    address = Text(default="")
    uprn = Varchar(length=20, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    description = Text(default="")
    status = Varchar(length=24, choices=ApplicationStatus, default="received", index=True)
    consultation_start = Date(null=True, default=None)
    consultation_end = Date(null=True, default=None)
    consultation_extended_to = Date(null=True, default=None)
    hearing_date = Date(null=True, default=None)
    decision = Varchar(length=200, default="")
    decision_date = Date(null=True, default=None)
    documentation_url = Text(default="")
    # Where the point is, in words (named from the places domain when recorded, or when the streets
    # or wards are imported later); not part of a version: it follows from the point.
    usrn = Varchar(length=20, default="")
    street = Varchar(length=200, default="")
    ward = Varchar(length=200, default="", index=True)
    illustrative = Boolean(default=False)  # demo data, marked as such wherever it is shown
    version = Integer(default=1)  # the number of the latest version
    received_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class ApplicationVersion(Table, tablename="application_version"):
    application = ForeignKey(references=Application, index=True)
    number = Integer()
    regime = Varchar(length=16, choices=Regime)
    application_type = Varchar(length=100, default="")
    address = Text(default="")
    uprn = Varchar(length=20, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    description = Text(default="")
    status = Varchar(length=24, choices=ApplicationStatus, default="received")
    consultation_start = Date(null=True, default=None)
    consultation_end = Date(null=True, default=None)
    consultation_extended_to = Date(null=True, default=None)
    hearing_date = Date(null=True, default=None)
    decision = Varchar(length=200, default="")
    decision_date = Date(null=True, default=None)
    documentation_url = Text(default="")
    changes = JSON(default="[]")  # the fields this version changed (all of them for the first)
    summary = Text(default="")  # what changed, in a resident's words
    source = Varchar(length=16, choices=VersionSource, default="import")
    actor = Varchar(length=320, default="")  # a staff email, "import FILE", "feed URL"
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


# The values a version records (and the application row repeats for the latest one).
FIELDS = ("regime", "application_type", "address", "uprn", "latitude", "longitude", "description", "status",
          "consultation_start", "consultation_end", "consultation_extended_to", "hearing_date", "decision",
          "decision_date", "documentation_url")
