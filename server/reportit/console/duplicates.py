"""Marking a report as a duplicate: its followers are told once (the duplicate's own status
change) and then follow the original, so the original's next change reaches them too."""

from __future__ import annotations

from datetime import datetime, timezone

from reportit.accounts.identity import StaffMember
from reportit.console.audit import record
from reportit.console.casework import CaseError, actor_for, original_for, write_transaction
from reportit.push.tables import Follow
from reportit.reports.references import spoken
from reportit.reports.status import change_status
from reportit.reports.tables import Report
from reportit.settings import Settings

DUPLICATE = "duplicate"


def default_message(original_reference: str, settings: Settings) -> str:
    return (f"Someone reported this problem already, as report {spoken(original_reference)}. "
            f"We'll tell you about progress on that report: {settings.base_url}/r/{original_reference}")


async def follow_original(duplicate_id: int, original_id: int) -> int:
    """Copy the duplicate's followers onto the original, skipping anyone already following it.
    The copies are not the original's reporter, so a private original still tells only its own."""
    follows = await Follow.select(Follow.device, Follow.email, Follow.email_confirmed).where(
        Follow.report == duplicate_id).order_by(Follow.id)
    present = await Follow.select(Follow.device, Follow.email).where(Follow.report == original_id)
    devices = {f["device"] for f in present if f["device"]}
    emails = {f["email"].lower() for f in present if f["email"] and not f["device"]}
    now = datetime.now(timezone.utc)
    rows = []
    for follow in follows:
        if follow["device"] and follow["device"] in devices:
            continue
        if not follow["device"] and (not follow["email"] or follow["email"].lower() in emails):
            continue
        devices.add(follow["device"])
        emails.add(follow["email"].lower())
        rows.append(Follow(report=original_id, device=follow["device"], email=follow["email"],
                           email_confirmed=follow["email_confirmed"], reporter=False, created_at=now))
    if rows:
        await Follow.insert(*rows)
    return len(rows)


async def mark_duplicate(staff: StaffMember, report: dict, settings: Settings, original_text: str,
                         public_message: str) -> str:
    """Returns the original's reference."""
    if settings.status(DUPLICATE) is None:
        raise CaseError("original", "The council settings have no ‘duplicate’ status")
    if report["duplicate_of"] is not None:
        raise CaseError("original", "This report is already marked as a duplicate")
    original = await original_for(report, original_text)
    message = public_message.strip() or default_message(original["reference"], settings)
    async with write_transaction():
        await Report.update({Report.duplicate_of: original["id"]}).where(Report.id == report["id"])
        # Told now, while they still follow only the duplicate: one notification each.
        await change_status(report["reference"], DUPLICATE, settings=settings, actor=actor_for(staff),
                            public_message=message)
        moved = await follow_original(report["id"], original["id"])
        await record(staff.user_id, staff.email, "marked_duplicate", report_id=report["id"],
                     target=original["reference"], before={"status": report["status"], "duplicate_of": None},
                     after={"status": DUPLICATE, "duplicate_of": original["reference"], "followers_moved": moved,
                            "public_message": message})
    return original["reference"]
