"""Who may see a report: everyone for public ones; the reporter's device and staff otherwise."""

from __future__ import annotations

from starlette.requests import Request

from reportit.accounts.identity import device_from_request, staff_from_request


async def can_see_private(request: Request, report: dict) -> bool:
    """True for the device that made the report, and for staff."""
    if await staff_from_request(request) is not None:
        return True
    device = await device_from_request(request, required=False)
    return device is not None and device.id == report["device"]


async def is_reporter(request: Request, report: dict) -> bool:
    device = await device_from_request(request, required=False)
    return device is not None and device.id == report["device"]


async def visible(request: Request, report: dict) -> bool:
    if not report["private"] and not report["hidden"]:
        return True
    return await can_see_private(request, report)
