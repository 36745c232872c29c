"""Failed staff sign-ins, counted once for the console and the app alike, so trying passwords
through one door does not buy fresh attempts at the other."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from starlette.requests import Request
from reportit.app_state import services

MAX_FAILURES = 5  # per address and email
MAX_FAILURES_PER_ADDRESS = 20  # across emails: stops password spraying from one place
WINDOW = 15 * 60.0  # seconds


class FailedLogins:
    """Recent failures per key, in this process's memory (a restart forgets them, which is fine)."""

    def __init__(self) -> None:
        self.failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        times = self.failures[key]
        while times and times[0] < time.monotonic() - WINDOW:
            times.popleft()
        return times

    def wait(self, key: tuple[str, str], limit: int) -> int:
        times = self._recent(key)
        return 0 if len(times) < limit else max(1, int(times[0] + WINDOW - time.monotonic()))

    def wait_for(self, address: str, email: str) -> int:
        """Seconds before `email` may try again from `address` (0: now)."""
        return max(self.wait((address, email), MAX_FAILURES), self.wait((address, "*"), MAX_FAILURES_PER_ADDRESS))

    def record(self, address: str, email: str) -> None:
        for key in ((address, email), (address, "*")):
            self._recent(key).append(time.monotonic())

    def clear(self, address: str, email: str) -> None:
        self.failures.pop((address, email), None)


def failed_logins(request: Request) -> FailedLogins:
    return services(request).failed_logins
