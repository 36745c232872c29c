"""Changing a report's status: the one place a status moves, so every change is recorded alike.

The status row and everything that must happen with it (the subscribers of `StatusChanged`: push
writes notification outbox rows) are written in one transaction: if any of it fails, none of it happened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from reportit import database, events
from reportit.problems import FieldError, Problem, invalid
from reportit.reports.tables import Report, StatusChange
from reportit.settings import Settings

log = logging.getLogger(__name__)

MAX_MESSAGE = 4000


@dataclass(frozen=True)
class Actor:
    """Who made a change: a staff member, another system (Open311) or the command line."""

    label: str  # e.g. "staff:officer@example.gov.uk", "open311:fixmystreet", "cli"
    staff_user_id: int | None = None


async def change_status(
    reference: str,
    to_status: str,
    *,
    settings: Settings,
    actor: Actor,
    public_message: str = "",
    internal_note: str = "",
) -> StatusChange:
    status = settings.catalogue.status(to_status)
    if status is None:
        known = ", ".join(s.code for s in settings.catalogue.statuses)
        raise invalid([FieldError("status", f"'{to_status}' is not a status. Use one of: {known}.")])
    if len(public_message) > MAX_MESSAGE or len(internal_note) > MAX_MESSAGE:
        raise invalid([FieldError("public_message", f"Messages must be {MAX_MESSAGE} characters or fewer.")])

    engine = Report._meta.db
    now = datetime.now(timezone.utc)
    async with database.write_transaction(engine):
        report = await Report.select(Report.id, Report.status).where(Report.reference == reference).first()
        if report is None:
            raise Problem(404, "Report not found", f"There is no report {reference}.")
        change = StatusChange(
            report=report["id"],
            from_status=report["status"],
            to_status=to_status,
            public_message=public_message.strip(),
            internal_note=internal_note.strip(),
            staff_user=actor.staff_user_id,
            actor=actor.label,
            created_at=now,
        )
        await change.save()
        await Report.update({Report.status: to_status, Report.updated_at: now}).where(Report.id == report["id"])
        await events.publish(events.StatusChanged(
            report_id=report["id"], reference=reference, status_change_id=change.id, from_status=report["status"],
            to_status=to_status, public_message=change.public_message,
        ), settings)
    log.info("event=status_changed reference=%s from=%s to=%s actor=%s",
             reference, report["status"], to_status, actor.label)
    return change
