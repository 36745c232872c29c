"""Reports and what hangs off them: categories, photos, status history."""

from __future__ import annotations

from enum import Enum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from reportit.accounts.tables import Device


class LocationSource(str, Enum):
    """Where a report's position came from."""

    not_given = ""
    device = "device"  # the phone's location
    map = "map"  # a point picked on the map
    photo = "photo"  # a photo's EXIF position
    text = "text"  # only words ("outside the library")


class ReportSource(str, Enum):
    """Which door a report came in by."""

    app = "app"
    open311 = "open311"
    console = "console"
    demo = "demo"



class Category(Table, tablename="category"):
    """A category as configured in the council's TOML, kept in step on every start."""

    code = Varchar(length=64, unique=True, index=True)
    name = Varchar(length=200)
    group_code = Varchar(length=64)
    private = Boolean(default=False)
    signpost = Boolean(default=False)
    active = Boolean(default=True)
    position = Integer(default=0)


class Report(Table, tablename="report"):
    reference = Varchar(length=16, unique=True, index=True)
    category = ForeignKey(references=Category, index=True)
    status = Varchar(length=40, index=True)
    description = Text(default="")
    answers = JSON(default="{}")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    location_accuracy = DoublePrecision(null=True, default=None)  # metres
    location_source = Varchar(length=16, default="", choices=LocationSource)
    location_text = Text(default="")
    # The place in words, named at intake from the street gazetteer and wards (reportit.places):
    # empty when the council has not imported them or the point is on no known street or ward.
    usrn = Varchar(length=20, default="")
    street = Varchar(length=200, default="")
    ward = Varchar(length=200, default="", index=True)
    # Private contact details: never on public pages, Open311 output or others' pushes.
    contact_name = Varchar(length=200, default="")
    contact_email = Varchar(length=320, default="")
    contact_phone = Varchar(length=40, default="")
    device = ForeignKey(references=Device, null=True, default=None, index=True)
    # The resident account the report was sent under (or that its device joined later): the
    # account's id as a plain integer, so an account erasing itself or a phone signing in as
    # someone else never moves a report to another person. Null: not an account's.
    account = Integer(null=True, default=None, index=True)
    staff_user = ForeignKey(references=BaseUser, null=True, default=None)
    source = Varchar(length=16, default="app", choices=ReportSource)
    private = Boolean(default=False)
    hidden = Boolean(default=False)
    idempotency_key = UUID(null=True, default=None, unique=True)
    fingerprint = Varchar(length=64, default="")
    observed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    # Officer console: who works the case, and the original when this one repeats it.
    # set_null: removing a user or a report must never delete other reports.
    assigned_to = ForeignKey(references=BaseUser, null=True, default=None, index=True, on_delete=OnDelete.set_null)
    duplicate_of = ForeignKey(references="self", null=True, default=None, index=True, on_delete=OnDelete.set_null)


class Photo(Table, tablename="photo"):
    """A re-encoded photo; `key` and `thumb_key` are content addresses in the photo store."""

    report = ForeignKey(references=Report, index=True)
    position = Integer(default=0)
    key = Varchar(length=64, index=True)
    thumb_key = Varchar(length=64, index=True)
    width = Integer()
    height = Integer()
    hidden = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class StatusChange(Table, tablename="status_change"):
    """One step of a report's history. The first row records its arrival."""

    report = ForeignKey(references=Report, index=True)
    from_status = Varchar(length=40, default="")
    to_status = Varchar(length=40)
    public_message = Text(default="")
    internal_note = Text(default="")  # staff only, never public
    staff_user = ForeignKey(references=BaseUser, null=True, default=None)
    actor = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class UploadState(str, Enum):
    """Where one photo of a report sent photo by photo stands (reports/resumable.py)."""

    arriving = "arriving"  # declared with the report; bytes still coming
    complete = "complete"  # processed: `photo` is its row
    expired = "expired"  # abandoned: its partial bytes were deleted (the preview, if any, stays)
    refused = "refused"  # not a photo we can use, or given up by the phone


class PhotoUpload(Table, tablename="photo_upload"):
    """A photo declared with its report (by the SHA-256 the phone computed over its bytes) and sent
    afterwards, resumably. Its partial bytes are `<data dir>/uploads/<id>.part` until complete."""

    report = ForeignKey(references=Report, index=True)
    position = Integer(default=0)
    sha256 = Varchar(length=64, index=True)
    length = Integer()  # declared by the phone with the report; the upload may not differ
    state = Varchar(length=16, default="arriving", choices=UploadState, index=True)
    preview_key = Varchar(length=64, default="", index=True)  # ~20 KB preview in the photo store
    photo = ForeignKey(references=Photo, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)  # last byte received: expiry counts from it
