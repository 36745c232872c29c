"""Alerts' subscriptions to the applications domain's events (wired in `reportit.wiring`).

The seam is in place before the alerts themselves: the applications domain publishes, and these
handlers will match each event against saved alerts and write notification outbox rows in the
publisher's transaction.
"""

from __future__ import annotations

from reportit.events import ApplicationChanged, ApplicationReceived
from reportit.settings import Settings


async def application_received(event: ApplicationReceived, settings: Settings) -> None:
    """A new application: residents whose alert area holds its point and who chose its regime."""
    return None


async def application_changed(event: ApplicationChanged, settings: Settings) -> None:
    """A changed application: residents who follow it or made a representation on it."""
    return None
