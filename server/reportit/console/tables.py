"""What the console keeps besides the reports themselves: the audit log, internal notes and the
originals of everything moderation changed."""

from __future__ import annotations

from enum import Enum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSON, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from reportit.reports.tables import Photo, Report


class RedactionKind(str, Enum):
    text = "text"
    photo_hidden = "photo_hidden"
    photo_redacted = "photo_redacted"


class AuditLog(Table, tablename="console_audit"):
    """One staff action: who, what, when, and the values before and after it."""

    staff_user = ForeignKey(references=BaseUser, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    actor = Varchar(length=320, default="")  # the email at the time, kept if the user is removed
    action = Varchar(length=40, index=True)
    report = ForeignKey(references=Report, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    target = Varchar(length=320, default="")  # what else it was about (a staff email, a photo)
    before = JSON(default="{}")
    after = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class CaseNote(Table, tablename="console_case_note"):
    """An internal note on a case: staff only, never on a public page, feed or notification."""

    report = ForeignKey(references=Report, on_delete=OnDelete.cascade, index=True)
    staff_user = ForeignKey(references=BaseUser, null=True, default=None, on_delete=OnDelete.set_null)
    actor = Varchar(length=320, default="")
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class Redaction(Table, tablename="console_redaction"):
    """What moderation replaced, kept for audit. Photos: the original photo row stays (hidden), so
    its file is never swept and staff can still open it; the redacted copy is a new photo row."""

    report = ForeignKey(references=Report, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, choices=RedactionKind)
    field = Varchar(length=40, default="")  # description | location_text, for text
    original_text = Text(default="")
    replacement_text = Text(default="")
    original_photo = ForeignKey(references=Photo, null=True, default=None, on_delete=OnDelete.set_null)
    redacted_photo = ForeignKey(references=Photo, null=True, default=None, on_delete=OnDelete.set_null)
    staff_user = ForeignKey(references=BaseUser, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
