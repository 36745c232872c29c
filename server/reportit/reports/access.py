"""Who may see a report: everyone for public ones; otherwise its reporter (every device signed in to
the account it was sent under, or the phone that sent it while signed out: `reports.owner`), the
warden who filed it, and officers and admins (who work every case).

Pages and photos also know the device by its cookie (a link or an <img> carries no bearer token);
the JSON API knows it by its bearer token only."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from reportit.accounts.identity import StaffMember, device_from_cookie, device_from_request, staff_from_request
from reportit.accounts.tables import Device
from reportit.reports.owner import Owner, owner_of_device
from reportit.reports.visibility import is_public


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a staff member, a device, both or neither."""

    staff: StaffMember | None
    device: Device | None
    # The device's account (or the device alone): whose reports it sees as their reporter.
    owner: Owner | None = None

    def can_see_private(self, report: dict) -> bool:
        """True for the reporter (their device, or the warden who filed it) and for caseworkers.

        `report` needs its `account`, `device` and `staff_user` ids. A warden is staff but does not work cases:
        they see what they filed, like a resident, and nobody else's contact details.
        """
        return self.is_staff_on(report) or self.is_reporters_device(report)

    def is_staff_on(self, report: dict) -> bool:
        """A caseworker, or the warden who filed it."""
        return self.staff is not None and (self.staff.works_cases or self.staff.user_id == report.get("staff_user"))

    def is_reporters_device(self, report: dict) -> bool:
        return self.owner is not None and self.owner.owns(report)

    def can_see(self, report: dict) -> bool:
        return is_public(report) or self.can_see_private(report)


async def viewer(request: Request) -> Viewer:
    return await _viewer_with(request, await device_from_request(request, required=False))


async def page_viewer(request: Request) -> Viewer:
    """Who is asking for a page or a photo: the bearer token if the app sent one, else the cookie."""
    device = await device_from_request(request, required=False) or await device_from_cookie(request)
    return await _viewer_with(request, device)


async def _viewer_with(request: Request, device: Device | None) -> Viewer:
    owner = await owner_of_device(device.id) if device else None
    return Viewer(await staff_from_request(request), device, owner)


async def can_see_private(request: Request, report: dict) -> bool:
    return (await viewer(request)).can_see_private(report)


async def visible(request: Request, report: dict) -> bool:
    if is_public(report):
        return True
    return await can_see_private(request, report)
