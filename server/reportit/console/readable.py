"""What the audit log and a case's timeline show a person instead of internal codes: status and
category names from the council's catalogue, plain field names, and who acted in words."""

from __future__ import annotations

from typing import Any

from reportit.settings import Settings

LABELS = {
    "status": "Status", "public_message": "Public message", "internal_note": "Internal note", "note": "Note",
    "category": "Category", "email": "Assigned to", "hidden": "Hidden from the public",
    "duplicate_of": "Original report", "followers_moved": "Followers moved", "role": "Role", "active": "Can sign in",
    "field": "Field", "replacement": "Replaced with", "photo": "Photo", "filters": "Filters", "rows": "Rows",
}
SKIP = {"assigned_to"}  # an internal id; "email" says the same in words


def actor_name(actor: str, viewer_email: str | None = None) -> str:
    """`staff:sam@council.example` → `sam@council.example` (or "You"), `open311:fms` → "Open311 (fms)"."""
    kind, _, who = actor.partition(":")
    if not actor:
        return "Reporter"
    if actor == "cli":
        return "Command line"
    if kind == "staff" and who:
        return "You" if viewer_email and who.lower() == viewer_email.lower() else who
    if kind == "open311" and who:
        return f"Open311 ({who})"
    if "@" in actor and viewer_email and actor.lower() == viewer_email.lower():
        return "You"
    return actor


def _value(key: str, value: Any, settings: Settings) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key == "status" and isinstance(value, str):
        status = settings.catalogue.status(value)
        return status.name if status else value
    if key == "category" and isinstance(value, str):
        category = settings.catalogue.category(value)
        return category.name if category else value
    if key == "role" and isinstance(value, str):
        return value.capitalize()
    if key == "duplicate_of" and isinstance(value, str) and len(value) == 8:
        return f"{value[:4]}-{value[4:]}"
    return str(value)


def changes(values: dict[str, Any] | None, settings: Settings, *, skip: tuple[str, ...] = ()) -> str:
    """`{"status": "action_scheduled"}` → "Status: Action scheduled"; empty values are left out."""
    parts = []
    for key, value in (values or {}).items():
        if key in SKIP or key in skip or value in (None, ""):
            continue
        parts.append(f"{LABELS.get(key, key.replace('_', ' ').capitalize())}: {_value(key, value, settings)}")
    return "; ".join(parts)
