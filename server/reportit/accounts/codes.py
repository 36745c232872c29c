"""Emailed sign-in codes: 6 digits, single use, 10 minutes, 5 tries, good only on the device that
asked. Wrong codes are also counted per address over a day, across every code sent to it, so asking
for new codes does not buy new guesses: after WRONG_PER_DAY the address cannot be signed in to until
the day is out. Only an HMAC of a code is stored (keyed with the server's secret, so a copy of the
database does not give the codes away), and it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import math
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from reportit import database
from reportit.accounts import failed_logins
from reportit.accounts.tables import SignInCode
from reportit.problems import FieldError, Problem, invalid

LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
WRONG_PER_DAY = 10  # wrong codes per email address, whichever code and phone they were typed for
WRONG_WINDOW = 24 * 3600.0  # seconds, from the first wrong code
_CODE = re.compile(r"^[0-9]{6}$")

# The same answer whether or not someone else asked for a code for this address on another device:
# a wrong guess must not tell anyone that the address is signing in somewhere.
NO_CODE = ("There is no code for this address on this phone or browser. Ask for a code here, then type the "
           "one in the newest email.")
NO_NEW_CODE = ("That is not a code for this address on this phone or browser, and its last code has been used. "
               "Ask for a code here, then type the one in the newest email.")
USED = "This code has already been used. Ask for a new code if you want to sign in again."
# Where a code confirms something other than signing in (a representation's email address).
USED_ONCE = "This code has already been used: each code works once. Ask for a new code."
EXPIRED = "This code has expired: codes last 10 minutes. Ask for a new code."
TOO_MANY = "Too many wrong codes. Ask for a new code and type it carefully."
OTHER_DEVICE = ("This code was asked for on another phone or browser. Type it there, or ask for a new code "
                "on this one.")


@dataclass(frozen=True)
class Confirmed:
    """A code that was right: for whom, and (changing an address) for which account."""

    code_id: int
    email: str
    account_id: int | None


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(secret_key: str, email: str, code: str) -> str:
    return hmac.new(secret_key.encode(), f"sign-in:{email}:{code}".encode(), hashlib.sha256).hexdigest()


def read_code(value: object) -> str:
    code = re.sub(r"[\s-]", "", value) if isinstance(value, str) else ""
    if not _CODE.match(code):
        raise invalid([FieldError("code", "Enter the 6-digit code from the email.")], title="Check the code")
    return code


async def issue(email: str, device_id: int, secret_key: str, *, purpose: str = "sign_in",
                account_id: int | None = None) -> str:
    """A new code for this address on this device; an earlier unused one from the same device stops
    working, so only the newest email counts."""
    code = new_code()
    now = datetime.now(timezone.utc)
    async with database.write_transaction(SignInCode._meta.db):
        await SignInCode.delete().where(
            (SignInCode.email == email) & (SignInCode.device == device_id) & (SignInCode.purpose == purpose)
            & SignInCode.used_at.is_null())
        await SignInCode(email=email, purpose=purpose, account=account_id, device=device_id,
                         code_hash=code_hash(secret_key, email, code), expires_at=now + LIFETIME,
                         created_at=now).save()
    return code


def _wrong_key(email: str) -> str:
    return f"wrong-code:{email}"[:400]


async def _refuse_when_guessed(email: str) -> None:
    wait = await failed_logins.waiting(_wrong_key(email), WRONG_PER_DAY, time.time(), WRONG_WINDOW)
    if not wait:
        return
    hours = wait / 3600
    when = f"{math.ceil(hours)} hours" if hours > 1 else f"{max(1, math.ceil(wait / 60))} minutes"
    message = (f"Too many wrong codes have been typed for this email address, so to keep the account safe "
               f"nobody can sign in with it for now. Try again in {when}.")
    raise Problem(429, "Too many wrong codes", message, [FieldError("code", message)],
                  headers={"Retry-After": str(wait)})


def _wrong(message: str, status: int = 422) -> Problem:
    return Problem(status, "That code did not work", message, [FieldError("code", message)])


async def check(email: str, code: str, device_id: int, secret_key: str, *, purpose: str = "sign_in") -> Confirmed:
    """Count a try and confirm the code, or raise a problem that says what to do. Each try is
    committed before the answer, so a wrong code costs a try even though the request fails."""
    await _refuse_when_guessed(email)
    for_address = (SignInCode.email == email) & (SignInCode.purpose == purpose)
    # This device's newest code: two phones may sign in to one address at the same time.
    row = await (SignInCode.select(*SignInCode.all_columns()).where(for_address & (SignInCode.device == device_id))
                 .order_by(SignInCode.id, ascending=False).first())
    if row is None:
        raise _wrong(NO_CODE)
    right = hmac.compare_digest(row["code_hash"], code_hash(secret_key, email, code))
    if row["used_at"] is not None:
        # Only the spent code itself is "used"; anything else typed is no code this phone has.
        raise _wrong((USED if purpose == "sign_in" else USED_ONCE) if right else NO_NEW_CODE)
    if row["expires_at"] <= datetime.now(timezone.utc):
        raise _wrong(EXPIRED)
    async with database.write_transaction(SignInCode._meta.db):
        counted = await SignInCode.update({SignInCode.tries: SignInCode.tries + 1}).where(
            (SignInCode.id == row["id"]) & (SignInCode.tries < MAX_TRIES)).returning(SignInCode.tries)
        if counted and not right:
            await failed_logins.count_failure(_wrong_key(email), time.time(), WRONG_WINDOW)
    if not counted:
        raise _wrong(TOO_MANY)
    if not right:
        left = MAX_TRIES - counted[0]["tries"]
        raise _wrong(f"That code is not right. Check the email and try again: {left} "
                     f"{'try' if left == 1 else 'tries'} left." if left else TOO_MANY)
    return Confirmed(row["id"], email, row["account"])


async def use(confirmed: Confirmed, *, purpose: str = "sign_in") -> None:
    """Spend the code, inside the transaction that acts on it: of two requests racing with the same
    code, one signs in and the other is told the code was used."""
    now = datetime.now(timezone.utc)
    spent = await SignInCode.update({SignInCode.used_at: now}).where(
        (SignInCode.id == confirmed.code_id) & SignInCode.used_at.is_null()).returning(SignInCode.id)
    if not spent:
        raise _wrong(USED if purpose == "sign_in" else USED_ONCE)
