"""Who is asking: resident devices (bearer tokens), resident accounts (My Account) that devices
join, and staff roles on Piccolo's user table. A resident account is never a staff account."""

from __future__ import annotations

from enum import Enum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSON,
    UUID,
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



class Role(str, Enum):
    """What a staff member may do in the console."""

    warden = "warden"  # reports on the street
    officer = "officer"  # works cases
    admin = "admin"  # also manages staff


class CodePurpose(str, Enum):
    sign_in = "sign_in"
    change_email = "change_email"


ROLES = tuple(r.value for r in Role)


class ResidentAccount(Table, tablename="resident_account"):
    """A resident who signed in with an emailed code. Its devices' reports and follows are its own."""

    email = Varchar(length=320, unique=True, index=True)  # lower case, confirmed by a code
    name = Varchar(length=200, default="")
    phone = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SavedPlace(Table, tablename="saved_place"):
    """A place the resident named (home, work): prefills a report's place and, later, alert areas."""

    account = ForeignKey(references=ResidentAccount, on_delete=OnDelete.cascade, index=True)
    label = Varchar(length=40)
    address = Text(default="")
    latitude = DoublePrecision()
    longitude = DoublePrecision()
    position = Integer(default=0)


class Device(Table, tablename="device"):
    """A resident's installed app. Only a hash of its token is stored."""

    device_id = UUID(unique=True, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    # Signed in: the account this device belongs to. Signing out sets it back to null.
    account = ForeignKey(references=ResidentAccount, on_delete=OnDelete.set_null, null=True, default=None,
                         index=True)
    linked_at = Timestamptz(null=True, default=None)
    user_agent = Varchar(length=300, default="")  # the browser, as the device list names it


class SignInCode(Table, tablename="sign_in_code"):
    """A 6-digit code emailed to `email`. Only an HMAC of it is stored; single use, 10 minutes,
    5 tries, and good only on the device that asked for it."""

    email = Varchar(length=320, index=True)
    purpose = Varchar(length=16, default="sign_in", choices=CodePurpose)
    account = ForeignKey(references=ResidentAccount, on_delete=OnDelete.cascade, null=True, default=None)
    device = ForeignKey(references=Device, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64)
    tries = Integer(default=0)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AccountAudit(Table, tablename="account_audit"):
    """What happened to resident accounts: devices joining and leaving, exports, erasures. Keeps the
    account's id, not a foreign key, so the record outlives an erased account (and holds no email)."""

    account_id = Integer(index=True)
    action = Varchar(length=32, index=True)
    device_id = Varchar(length=36, default="")
    actor = Varchar(length=320, default="")  # resident | staff:<email> | cli
    detail = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class StaffRole(Table, tablename="staff_role"):
    """The role of a staff member (a Piccolo user): warden, officer or admin."""

    user = ForeignKey(references=BaseUser, unique=True, index=True)
    role = Varchar(length=16, choices=Role, default="officer")


class PasswordReset(Table, tablename="password_reset"):
    """A one-time link to set a new password, sent by email. Only a hash of its token is stored;
    it works once (`used_at`) and until `expires_at`."""

    user = ForeignKey(references=BaseUser, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class RateBucket(Table, tablename="rate_bucket"):
    """One rate limit's state for one client, shared by every worker on every machine (limits.py,
    accounts/failed_logins.py): a token bucket's tokens, or a window's count of failures.
    `updated_at` is seconds since the epoch (a window's start, for counts)."""

    key = Varchar(length=400, unique=True)
    tokens = DoublePrecision()
    updated_at = DoublePrecision(index=True)
