"""Failed staff sign-ins, counted once for the console and the app alike, so trying passwords
through one door does not buy fresh attempts at the other.

Counted in the database (the rate_bucket table, as limits.py), so every worker on every machine
sees the same count: more workers do not mean more guesses. Each key counts failures in a window
of WINDOW seconds that starts at its first failure."""

from __future__ import annotations

import time

from starlette.requests import Request
from reportit.app_state import services

from reportit.accounts.tables import RateBucket

MAX_FAILURES = 5  # per address and email
MAX_FAILURES_PER_ADDRESS = 20  # across emails: stops password spraying from one place
WINDOW = 15 * 60.0  # seconds

# One failure more, or the first of a new window once the old one has passed. Placeholders: key,
# now, then (now - WINDOW) twice and now once for the SET.
_RECORD = """
INSERT INTO rate_bucket (key, tokens, updated_at) VALUES ({}, 1, {})
ON CONFLICT (key) DO UPDATE
SET tokens = CASE WHEN rate_bucket.updated_at < {} THEN 1 ELSE rate_bucket.tokens + 1 END,
    updated_at = CASE WHEN rate_bucket.updated_at < {} THEN {} ELSE rate_bucket.updated_at END
"""


async def waiting(key: str, limit: int, now: float, window: float = WINDOW) -> int:
    """Seconds before `key` may try again: 0 while it has failed fewer than `limit` times in its window."""
    row = await RateBucket.select(RateBucket.tokens, RateBucket.updated_at).where(RateBucket.key == key).first()
    if row is None or row["updated_at"] < now - window or row["tokens"] < limit:
        return 0
    return max(1, int(row["updated_at"] + window - now))


async def count_failure(key: str, now: float, window: float = WINDOW) -> None:
    await RateBucket.raw(_RECORD, key, now, now - window, now - window, now)


class FailedLogins:
    """`scope` names this counter's keys (tests give theirs a fresh one)."""

    def __init__(self, scope: str = "failed-sign-in") -> None:
        self.scope = scope

    def _key(self, address: str, email: str) -> str:
        return f"{self.scope}:{address}:{email}"[:400]

    async def wait_for(self, address: str, email: str) -> int:
        """Seconds before `email` may try again from `address` (0: now)."""
        now = time.time()
        return max(await waiting(self._key(address, email), MAX_FAILURES, now),
                   await waiting(self._key(address, "*"), MAX_FAILURES_PER_ADDRESS, now))

    async def record(self, address: str, email: str) -> None:
        now = time.time()
        for key in (self._key(address, email), self._key(address, "*")):
            await count_failure(key, now)

    async def clear(self, address: str, email: str) -> None:
        await RateBucket.delete().where(RateBucket.key == self._key(address, email))


def failed_logins(request: Request) -> FailedLogins:
    return services(request).failed_logins
