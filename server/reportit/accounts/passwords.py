"""Staff passwords and access: the one length rule, setting a password, switching an account off
or on, and one-time reset links.

The console and the `reportit user` command both come here, so they cannot drift apart.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase
from starlette.concurrency import run_in_threadpool

from reportit.accounts.identity import hash_token
from reportit.accounts.tables import PasswordReset

MIN_PASSWORD = 12
RESET_HOURS = 24  # long enough to read the email tomorrow morning, short enough to go stale


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in words for the person choosing it (None: nothing)."""
    if len(password) < MIN_PASSWORD:
        return f"The password must be at least {MIN_PASSWORD} characters"
    if len(password) > BaseUser._max_password_length:
        return f"The password must be at most {BaseUser._max_password_length} characters"
    return None


async def set_password(user_id: int, password: str) -> None:
    # BaseUser.update_password hashes on the event loop; the hash is deliberately slow.
    hashed = await run_in_threadpool(BaseUser.hash_password, password)
    await BaseUser.update({BaseUser.password: hashed}).where(BaseUser.id == user_id)


async def password_matches(user_id: int, password: str) -> bool:
    row = await BaseUser.select(BaseUser.password).where(BaseUser.id == user_id).first()
    if row is None or len(password) > BaseUser._max_password_length:
        return False
    _algorithm, iterations, salt, _hashed = BaseUser.split_stored_password(row["password"])
    hashed = await run_in_threadpool(BaseUser.hash_password, password, salt, int(iterations))
    return secrets.compare_digest(hashed, row["password"])


async def end_sessions(user_id: int, *, keep: str | None = None) -> None:
    """Sign the person out everywhere (console and app share piccolo_api sessions), except `keep`."""
    where = SessionsBase.user_id == user_id
    if keep:
        where &= SessionsBase.token != keep
    await SessionsBase.delete().where(where)


async def set_active(user_id: int, active: bool) -> None:
    await BaseUser.update({BaseUser.active: active}).where(BaseUser.id == user_id)
    if not active:
        await end_sessions(user_id)
        await PasswordReset.update({PasswordReset.used_at: datetime.now(timezone.utc)}).where(
            (PasswordReset.user == user_id) & PasswordReset.used_at.is_null())


async def create_reset(user_id: int, now: datetime | None = None) -> str:
    """A new reset token (shown once, in the email); earlier unused ones stop working."""
    now = now or datetime.now(timezone.utc)
    await PasswordReset.update({PasswordReset.used_at: now}).where(
        (PasswordReset.user == user_id) & PasswordReset.used_at.is_null())
    token = secrets.token_urlsafe(24)
    await PasswordReset.insert(PasswordReset(user=user_id, token_hash=hash_token(token), created_at=now,
                                             expires_at=now + timedelta(hours=RESET_HOURS)))
    return token


async def reset_for(token: str) -> dict | None:
    """The unused, unexpired reset of an active account for `token`: {id, user, email}."""
    if not token or len(token) > 100:
        return None
    row = await (PasswordReset.select(PasswordReset.id, PasswordReset.user, PasswordReset.expires_at,
                                      PasswordReset.used_at, PasswordReset.user.email.as_alias("email"),
                                      PasswordReset.user.active.as_alias("active"))
                 .where(PasswordReset.token_hash == hash_token(token)).first())
    if row is None or row["used_at"] is not None or not row["active"]:
        return None
    if row["expires_at"] <= datetime.now(timezone.utc):
        return None
    return row


async def use_reset(reset_id: int) -> bool:
    """Mark a reset used; False if it already was (two tabs, one link: only the first wins)."""
    claimed = await (PasswordReset.update({PasswordReset.used_at: datetime.now(timezone.utc)})
                     .where((PasswordReset.id == reset_id) & PasswordReset.used_at.is_null())
                     .returning(PasswordReset.id))
    return bool(claimed)
