"""The audit log: one row per staff action, written in the same transaction as the action."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from reportit.console.tables import AuditLog

# Action codes and how the audit page names them.
ACTIONS = {
    "signed_in": "Signed in",
    "signed_out": "Signed out",
    "status_changed": "Changed status",
    "note_added": "Added an internal note",
    "assigned": "Changed assignment",
    "category_changed": "Changed category",
    "marked_duplicate": "Marked as duplicate",
    "report_hidden": "Hid the report",
    "report_shown": "Showed the report again",
    "text_redacted": "Redacted text",
    "photo_hidden": "Hid a photo",
    "photo_shown": "Showed a photo again",
    "photo_redacted": "Redacted part of a photo",
    "preview_hidden": "Hid a photo's preview",
    "staff_added": "Added a staff member",
    "role_changed": "Changed a staff role",
    "staff_disabled": "Deactivated a staff account",
    "staff_enabled": "Reactivated a staff account",
    "password_reset_sent": "Sent a password reset link",
    "password_reset_used": "Set a password from a reset link",
    "password_changed": "Changed their own password",
    "password_set": "Set a password (command line)",
    "exported": "Exported a list",
    "account_exported": "Exported a resident's data",
    "account_erased": "Erased a resident's account",
    "application_decided": "Recorded an application's decision",
    "representation_published": "Published a representation (redacted)",
    "representation_withheld": "Withheld a representation",
}


async def record(staff_user_id: int | None, actor: str, action: str, *, report_id: int | None = None,
                 target: str = "", before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    await AuditLog.insert(AuditLog(
        staff_user=staff_user_id, actor=actor, action=action, report=report_id, target=target,
        before=json.dumps(before or {}, default=str), after=json.dumps(after or {}, default=str),
        created_at=datetime.now(timezone.utc),
    ))
