"""Marking a report as a duplicate: its followers are told once (the duplicate's own status
change) and then follow the original, so the original's next change reaches them too."""

from __future__ import annotations

from reportit.accounts.identity import StaffMember
from reportit.console.audit import record
from reportit.console.casework import CaseError, actor_for, original_for, write_transaction
from reportit.push.follows import follow_original
from reportit.reports.references import spoken
from reportit.reports.status import change_status
from reportit.reports.tables import Report
from reportit.settings import Settings

DUPLICATE = "duplicate"


def default_message(original_reference: str, settings: Settings) -> str:
    return (f"Someone reported this problem already, as report {spoken(original_reference)}. "
            f"We'll tell you about progress on that report: {settings.config.base_url}/r/{original_reference}")


def category_name(code: str, settings: Settings) -> str:
    category = settings.catalogue.category(code)
    return category.name if category else code


async def mark_duplicate(staff: StaffMember, report: dict, settings: Settings, original_text: str,
                         public_message: str, *, different_category_confirmed: bool = False) -> str:
    """Returns the original's reference. Reports of different categories are merged only when the
    officer confirms it on a second submit: fly-tipping is rarely the same problem as a pothole."""
    if settings.catalogue.status(DUPLICATE) is None:
        raise CaseError("original", "The council settings have no ‘duplicate’ status")
    if report["duplicate_of"] is not None:
        raise CaseError("original", "This report is already marked as a duplicate")
    original = await original_for(report, original_text)
    if original["category_code"] != report["category_code"] and not different_category_confirmed:
        raise CaseError("confirm_merge", (
            f"{spoken(original['reference'])} is ‘{category_name(original['category_code'], settings)}’ but this "
            f"report is ‘{category_name(report['category_code'], settings)}’. Check it is the same problem, then "
            f"tick ‘Yes, merge anyway’ and mark it again"))
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
