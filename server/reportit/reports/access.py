"""Who may see a report: everyone for public ones; otherwise the device that made it, the warden
who filed it, and officers and admins (who work every case)."""

from __future__ import annotations

from starlette.requests import Request

from reportit.accounts.identity import device_from_request, staff_from_request


async def can_see_private(request: Request, report: dict) -> bool:
    """True for the reporter (their device, or the warden who filed it) and for caseworkers.

    `report` needs its `device` and `staff_user` ids. A warden is staff but does not work cases:
    they see what they filed, like a resident, and nobody else's contact details.
    """
    staff = await staff_from_request(request)
    if staff is not None and (staff.works_cases or staff.user_id == report.get("staff_user")):
        return True
    device = await device_from_request(request, required=False)
    return device is not None and device.id == report["device"]


async def visible(request: Request, report: dict) -> bool:
    if not report["private"] and not report["hidden"]:
        return True
    return await can_see_private(request, report)
