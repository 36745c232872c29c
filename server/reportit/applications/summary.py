"""What changed between two versions, in a resident's words (the alert's and the history's text)."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from reportit.applications.deadline import day_words

# A change to any of these is news to residents watching the application (ApplicationChanged).
NEWS = ("status", "consultation_start", "consultation_end", "consultation_extended_to", "hearing_date", "decision",
        "decision_date")

STATUS_WORDS = {
    "received": "Received by the council",
    "validated": "Validated: the council has everything it needs to consider it",
    "under_consultation": "Now under consultation",
    "decided": "Decided",
    "withdrawn": "Withdrawn by the applicant",
    "appealed": "The decision has been appealed",
}

FIELD_WORDS = {
    "regime": "regime", "application_type": "type", "address": "address", "uprn": "UPRN", "latitude": "position",
    "longitude": "position", "description": "description", "status": "status",
    "consultation_start": "consultation start", "consultation_end": "consultation end",
    "consultation_extended_to": "consultation extension", "hearing_date": "hearing date", "decision": "decision",
    "decision_date": "decision date", "documentation_url": "documents link",
}


def status_name(status: str) -> str:
    return {"under_consultation": "Under consultation"}.get(status, status.replace("_", " ").capitalize())


def summarise(changes: tuple[str, ...], values: Mapping[str, Any], today: date) -> str:
    """One or two sentences: "Consultation extended to Friday 11 December." """
    parts: list[str] = []
    if "status" in changes:
        words = STATUS_WORDS.get(values["status"], status_name(values["status"]))
        if values["status"] == "decided" and values.get("decision"):
            words = f"Decided: {values['decision']}"
        elif values["status"] == "under_consultation" and _end(values):
            words = f"Now under consultation: comments close on {day_words(_end(values), today)}"
        parts.append(words)
    if "consultation_extended_to" in changes and values.get("consultation_extended_to"):
        parts.append(f"Consultation extended to {day_words(values['consultation_extended_to'], today)}")
    elif ({"consultation_start", "consultation_end"} & set(changes)) and "status" not in changes and _end(values):
        parts.append(f"Consulted on again after an amendment: comments close on {day_words(_end(values), today)}"
                     if "consultation_start" in changes else
                     f"The consultation now closes on {day_words(_end(values), today)}")
    if "hearing_date" in changes and values.get("hearing_date"):
        parts.append(f"Hearing on {day_words(values['hearing_date'], today)}")
    if ("decision" in changes or "decision_date" in changes) and "status" not in changes and values.get("decision"):
        parts.append(f"Decision: {values['decision']}")
    if not parts:
        changed = sorted({FIELD_WORDS.get(c, c) for c in changes})
        parts.append("Details updated: " + ", ".join(changed))
    return ". ".join(parts) + "."


def _end(values: Mapping[str, Any]) -> date | None:
    return values.get("consultation_extended_to") or values.get("consultation_end")
