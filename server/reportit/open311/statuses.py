"""Our configurable statuses in Open311's terms: open/closed, and FixMyStreet's extended statuses."""

from __future__ import annotations

from reportit.open311.render import Open311Error
from reportit.settings import Settings

# Our default status codes -> FixMyStreet's extended statuses (lower case when we send them).
EXTENDED = {
    "received": "open",
    "investigating": "investigating",
    "in_progress": "in_progress",
    "action_scheduled": "action_scheduled",
    "fixed": "fixed",
    "not_council_responsibility": "not_councils_responsibility",
    "duplicate": "duplicate",
    "no_further_action": "no_further_action",
    "referred": "internal_referral",
}
# What other systems send (upper case in FixMyStreet) -> our status codes.
INCOMING = {extended: ours for ours, extended in EXTENDED.items() if extended != "open"}
INCOMING.update(
    {"planned": "action_scheduled", "unable_to_fix": "no_further_action", "not_responsible": "not_council_responsibility"}
)
STILL_OPEN = ("investigating", "in_progress", "action_scheduled", "planned")
# Extended statuses that say only "open" or "closed": keep the current status if it already is that.
GENERIC_KIND = {"open": "open", "reopen": "open", "closed": "closed", "cancelled": "closed"}


def kind_of(settings: Settings, code: str) -> str:
    status = settings.catalogue.status(code)
    return status.kind if status else "open"


def open311_status(settings: Settings, code: str) -> str:
    """GeoReport v2 has only open and closed; our fixed and closed kinds are both closed."""
    return "open" if kind_of(settings, code) == "open" else "closed"


def codes_with(settings: Settings, open311: str) -> list[str]:
    return [s.code for s in settings.catalogue.statuses if (s.kind == "open") == (open311 == "open")]


def extended_status(settings: Settings, code: str) -> str:
    if code in EXTENDED:
        return EXTENDED[code]
    return kind_of(settings, code)  # open, closed and fixed are extended statuses too


def status_from_extended(settings: Settings, sent: str, current: str) -> str:
    """Our status for what another system sent: our own code, an extended status, or open/closed."""
    value = sent.strip().lower().replace(" ", "_")
    if value == "unchanged":
        return current
    if settings.catalogue.status(value):
        return value
    mapped = INCOMING.get(value)
    if mapped and settings.catalogue.status(mapped):
        return mapped
    wanted = GENERIC_KIND.get(value)
    if value in INCOMING:  # an extended status this council has no status for: go by its kind
        wanted = "fixed" if value == "fixed" else ("open" if value in STILL_OPEN else "closed")
    if wanted is None:
        raise Open311Error(
            400, f"status {sent!r} is not one we know. Send OPEN, CLOSED, FIXED or an extended status such as IN_PROGRESS."
        )
    current_kind = kind_of(settings, current)
    if wanted == "open":
        return current if current_kind == "open" else settings.catalogue.initial_status
    # A report already closed stays as it is on a bare CLOSED (it may be fixed, which says more).
    if current_kind == wanted or (wanted == "closed" and current_kind == "fixed"):
        return current
    return next((s.code for s in settings.catalogue.statuses if s.kind == wanted), current)
