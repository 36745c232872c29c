"""Who is asking: resident devices (bearer tokens) and staff roles on Piccolo's user table."""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ROLES = ("warden", "officer", "admin")


class Device(Table, tablename="device"):
    """A resident's installed app. Only a hash of its token is stored."""

    device_id = UUID(unique=True, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())


class StaffRole(Table, tablename="staff_role"):
    """The role of a staff member (a Piccolo user): warden, officer or admin."""

    user = ForeignKey(references=BaseUser, unique=True, index=True)
    role = Varchar(length=16, choices=None, default="officer")


class PasswordReset(Table, tablename="password_reset"):
    """A one-time link to set a new password, sent by email. Only a hash of its token is stored;
    it works once (`used_at`) and until `expires_at`."""

    user = ForeignKey(references=BaseUser, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
