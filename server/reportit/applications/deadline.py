"""One clear deadline per application, in words a resident can act on.

Idox-style pages show several dates and residents cannot tell which one is the deadline. Here
every application has exactly one sentence ("Comments close in 6 days, on Friday 11 December"),
worked out from its consultation dates and the council's rule for its type, plus whether a late
comment still counts. The app repeats this logic (pwa/lib/applications.js) so a list kept offline
stays right the next day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Mapping

from reportit.applications.rules import ApplicationRules, ApplicationType


def day_words(day: date, today: date | None = None) -> str:
    """"Friday 11 December", with the year when it is not this year's."""
    words = f"{day:%A} {day.day} {day:%B}"
    return words if today is not None and day.year == today.year else f"{words} {day.year}"


def today_in(rules: ApplicationRules) -> date:
    return datetime.now(rules.zone()).date()


@dataclass(frozen=True)
class Deadline:
    text: str
    closes_on: date | None  # the last day comments are invited, when there is one
    open: bool  # comments are invited (or, for planning, still counted) today
    late_comments: str  # "considered" | "refused"
    late_text: str
    closed_text: str = ""  # the council's sentence once closed, with {day} (the app words it offline); "": its own

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "closes_on": self.closes_on.isoformat() if self.closes_on else None,
                "open": self.open, "late_comments": self.late_comments, "late_text": self.late_text,
                **({"closed_text": self.closed_text} if self.closed_text else {})}


LATE = {"until_decision": "considered", "refused": "refused"}  # the rule as the API and the app name it


def closing_day(values: Mapping[str, Any], rules: ApplicationRules) -> date | None:
    """The extension if there is one, else the end the council gave, else its start plus the period."""
    if values.get("consultation_extended_to"):
        return values["consultation_extended_to"]
    if values.get("consultation_end"):
        return values["consultation_end"]
    start = values.get("consultation_start")
    if start:
        return rules.consultation_end(values["regime"], values.get("application_type") or "", start)
    return None


def deadline(values: Mapping[str, Any], rules: ApplicationRules, today: date) -> Deadline:
    kind = rules.type_for(values["regime"], values.get("application_type") or "")
    # The council's closed sentence goes with every deadline: a list kept offline words it when it closes.
    return replace(_deadline(values, kind, rules, today), closed_text=kind.closed_text)


def _deadline(values: Mapping[str, Any], kind: ApplicationType, rules: ApplicationRules, today: date) -> Deadline:
    late, late_text = LATE[kind.late_comments], kind.late_words()
    closes = closing_day(values, rules)
    status = values.get("status") or "received"
    decided = values.get("decision_date")
    decision = values.get("decision") or "decided"
    if status == "withdrawn":
        return Deadline("This application was withdrawn: there is nothing to comment on.", closes, False, late, late_text)
    if status in ("decided", "appealed"):
        when = f" on {day_words(decided, today)}" if decided else ""
        text = f"Decided{when}: {decision}." + (" The decision has been appealed." if status == "appealed" else "")
        return Deadline(text, closes, False, late, late_text)
    if closes is None:
        return Deadline("Comments open when the consultation starts.", None, False, late, late_text)
    days = (closes - today).days
    on = day_words(closes, today)
    noun = "Comments" if values["regime"] == "planning" else "Representations"
    if days > 1:
        return Deadline(f"{noun} close in {days} days, on {on}.", closes, True, late, late_text)
    if days == 1:
        return Deadline(f"{noun} close tomorrow, {on}.", closes, True, late, late_text)
    if days == 0:
        return Deadline(f"{noun} close today, {on}.", closes, True, late, late_text)
    return Deadline(kind.closed_words(on), closes, late == "considered", late, late_text)
