"""What officers do to a case. Each action and its audit row commit together; anything the public
sees goes through `change_status`, whose transaction also writes the reporter's notifications.

Nested `write_transaction`s join the outer one (Piccolo's default), so `change_status` runs inside
ours and a failure anywhere rolls back the whole action; the sender it wakes is woken once ours
has committed (`database.after_commit`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from reportit import database
from reportit.accounts.identity import StaffMember
from reportit.accounts.tables import StaffRole
from reportit.console.audit import record
from reportit.console.tables import CaseNote
from reportit.problems import Problem
from reportit.reports.references import normalise
from reportit.reports.status import Actor, change_status
from reportit.reports.tables import Category, Report
from reportit.reports.visibility import columns, is_public
from reportit.settings import Settings

log = logging.getLogger(__name__)

MAX_NOTE = 4000


class CaseError(Exception):
    """Something the officer can put right; `field` names the form field for the error summary."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def actor_for(staff: StaffMember) -> Actor:
    return Actor(label=f"staff:{staff.email}", staff_user_id=staff.user_id)


def write_transaction():
    return database.write_transaction(Report._meta.db)


async def load_case(reference: str) -> dict | None:
    """The case for a reference in any form a person writes it ("k7qm-4xrt" as well as "K7QM4XRT")."""
    if "\x00" in reference:  # no reference has one, and PostgreSQL cannot compare text with it
        return None
    return await (Report.select(*Report.all_columns(), Report.category.code.as_alias("category_code"))
                  .where(Report.reference == (normalise(reference) or reference)).first())


async def update_status(staff: StaffMember, report: dict, settings: Settings, to_status: str,
                        public_message: str, internal_note: str) -> None:
    if settings.catalogue.status(to_status) is None:
        raise CaseError("status", "Choose a status from the list")
    if to_status == "duplicate":
        raise CaseError("status", "To mark this as a duplicate, use ‘Mark as duplicate’ and give the original report")
    if to_status == report["status"] and not public_message.strip() and not internal_note.strip():
        raise CaseError("status", "Choose a new status, or write a public message or an internal note")
    try:
        async with write_transaction():
            await change_status(report["reference"], to_status, settings=settings, actor=actor_for(staff),
                                public_message=public_message, internal_note=internal_note)
            await record(staff.user_id, staff.email, "status_changed", report_id=report["id"],
                         before={"status": report["status"]},
                         after={"status": to_status, "public_message": public_message.strip(),
                                "internal_note": internal_note.strip()})
    except Problem as problem:
        raise CaseError("public_message", problem.detail) from problem


async def add_note(staff: StaffMember, report: dict, text: str) -> None:
    text = text.strip()
    if not text:
        raise CaseError("note", "Write the note")
    if len(text) > MAX_NOTE:
        raise CaseError("note", f"The note must be {MAX_NOTE} characters or fewer")
    async with write_transaction():
        await CaseNote.insert(CaseNote(report=report["id"], staff_user=staff.user_id, actor=staff.email, text=text,
                                       created_at=datetime.now(timezone.utc)))
        await record(staff.user_id, staff.email, "note_added", report_id=report["id"], after={"note": text})


async def caseworkers() -> list[dict]:
    """Officers and admins, who can be given cases."""
    return await (StaffRole.select(StaffRole.user.id.as_alias("id"), StaffRole.user.email.as_alias("email"),
                                   StaffRole.role)
                  .where(StaffRole.role.is_in(["officer", "admin"]) & (StaffRole.user.active == True))  # noqa: E712
                  .order_by(StaffRole.user.email))


async def assign(staff: StaffMember, report: dict, assignee: str) -> None:
    workers = {str(w["id"]): w["email"] for w in await caseworkers()}
    if assignee and assignee not in workers:
        raise CaseError("assignee", "Choose an officer from the list")
    new = int(assignee) if assignee else None
    if new == report["assigned_to"]:
        return
    async with write_transaction():
        await Report.update({Report.assigned_to: new}).where(Report.id == report["id"])
        await record(staff.user_id, staff.email, "assigned", report_id=report["id"],
                     before={"assigned_to": report["assigned_to"]},
                     after={"assigned_to": new, "email": workers.get(assignee, "")})


async def recategorise(staff: StaffMember, report: dict, settings: Settings, code: str, public_message: str) -> None:
    category = settings.catalogue.category(code)
    row = await Category.select(Category.id).where(Category.code == code).first() if category else None
    if category is None or row is None:
        raise CaseError("category", "Choose a category from the list")
    if code == report["category_code"]:
        raise CaseError("category", "The report is already in that category")
    async with write_transaction():
        # Privacy follows the category: a report moved into "noise from a neighbour" must vanish
        # from public pages, Open311 and other people's notifications at once (and the reverse).
        await Report.update({Report.category: row["id"], Report.private: category.private,
                             Report.updated_at: datetime.now(timezone.utc)}).where(Report.id == report["id"])
        if public_message.strip():
            # The category shows on the public page: a message tells the reporter why it changed.
            await change_status(report["reference"], report["status"], settings=settings, actor=actor_for(staff),
                                public_message=public_message)
        await record(staff.user_id, staff.email, "category_changed", report_id=report["id"],
                     before={"category": report["category_code"]},
                     after={"category": code, "public_message": public_message.strip()})


async def set_hidden(staff: StaffMember, report: dict, hidden: bool) -> None:
    if hidden == report["hidden"]:
        return
    async with write_transaction():
        await Report.update({Report.hidden: hidden}).where(Report.id == report["id"])
        await record(staff.user_id, staff.email, "report_hidden" if hidden else "report_shown",
                     report_id=report["id"], before={"hidden": report["hidden"]}, after={"hidden": hidden})


async def original_for(report: dict, text: str) -> dict:
    reference = normalise(text or "")
    if reference is None:
        raise CaseError("original", "Enter the original report's reference, like K7QM-4XRT")
    if reference == report["reference"]:
        raise CaseError("original", "A report cannot be a duplicate of itself")
    original = await Report.select(Report.id, Report.reference, Report.duplicate_of, *columns(),
                                   Report.category.code.as_alias("category_code")
                                   ).where(Report.reference == reference).first()
    if original is None:
        raise CaseError("original", f"There is no report {reference}")
    if not is_public(original) and is_public(report):
        # The public page and notifications of a duplicate name its original: never a private one.
        raise CaseError("original", f"{reference} is not public, so a public report cannot point to it. "
                                    "Close this report with another status instead")
    if original["duplicate_of"] is not None:
        raise CaseError("original", f"{reference} is itself a duplicate: give the report it duplicates")
    return original
