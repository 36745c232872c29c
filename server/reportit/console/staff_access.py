"""Admins switching a staff account off or on, and sending a password-reset link by email."""

from __future__ import annotations

import logging
from email.message import EmailMessage

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reportit import database
from reportit.accounts.identity import StaffMember
from reportit.accounts.passwords import RESET_HOURS, create_reset, set_active
from reportit.accounts.tables import StaffRole
from reportit.console.access import ADMIN, form_of, staff_only
from reportit.console.admin import show_admin
from reportit.console.audit import record
from reportit.mail import new_message, send_now
from reportit.settings import Settings
from reportit.app_state import services

log = logging.getLogger(__name__)


async def _person(request: Request) -> dict | None:
    return await (StaffRole.select(StaffRole.user.id.as_alias("id"), StaffRole.user.email.as_alias("email"),
                                   StaffRole.user.active.as_alias("active"))
                  .where(StaffRole.user == request.path_params["user_id"]).first())


@staff_only(*ADMIN)
async def switch_access(request: Request, staff: StaffMember) -> Response:
    """`active=0` signs the person out everywhere at once and stops them signing in; `active=1` undoes it."""
    form = await form_of(request)
    person = await _person(request)
    active = str(form.get("active", "")) == "1"
    if person is None:
        return await show_admin(request, staff, errors={"role": "Choose someone on the list"}, status_code=422)
    if person["id"] == staff.user_id and not active:
        return await show_admin(request, staff, errors={"role": "You cannot deactivate your own account"},
                                status_code=422)
    if person["active"] != active:
        async with database.write_transaction(StaffRole._meta.db):
            await set_active(person["id"], active)
            await record(staff.user_id, staff.email, "staff_enabled" if active else "staff_disabled",
                         target=person["email"], before={"active": person["active"]}, after={"active": active})
    return RedirectResponse(f"/console/admin?done={'enabled' if active else 'disabled'}", status_code=303)


def reset_message(to: str, link: str, settings: Settings) -> EmailMessage:
    message = new_message(settings, to, f"Set a new password for the {settings.catalogue.council.short_name} console")
    message.set_content(
        f"A console administrator asked for you to set a new password.\n\n"
        f"Open this link to choose one. It works once, for {RESET_HOURS} hours:\n{link}\n\n"
        f"If you did not expect this, tell your console administrator. Your current password keeps "
        f"working until you choose a new one.\n\n--\n{settings.catalogue.council.name}\n"
    )
    return message


@staff_only(*ADMIN)
async def send_reset(request: Request, staff: StaffMember) -> Response:
    settings: Settings = services(request).settings
    person = await _person(request)
    if person is None or not person["active"]:
        return await show_admin(request, staff, errors={"role": "Choose an active account on the list"},
                                status_code=422)
    if not settings.config.smtp_url:
        return await show_admin(request, staff, status_code=422, errors={
            "role": "Email is not set up (REPORTIT_SMTP_URL), so no reset link can be sent. "
                    "Use ‘reportit user passwd’ on the server instead"})
    async with database.write_transaction(StaffRole._meta.db):
        token = await create_reset(person["id"])
        await record(staff.user_id, staff.email, "password_reset_sent", target=person["email"])
    message = reset_message(person["email"], f"{settings.config.base_url}/console/password-reset/{token}", settings)
    failure = await send_now(settings, message)
    if failure is not None:
        log.warning("event=password_reset_email_failed user_id=%s error=%r", person["id"], str(failure))
        return await show_admin(request, staff, status_code=502, errors={
            "role": f"The email to {person['email']} could not be sent. Try again later"})
    log.info("event=password_reset_sent user_id=%s", person["id"])
    return RedirectResponse("/console/admin?done=reset", status_code=303)
