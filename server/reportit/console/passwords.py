"""Choosing a password: from an emailed one-time link (signed out), or your own while signed in
(which asks for the current one first)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reportit import database
from reportit.accounts.identity import SESSION_COOKIE, StaffMember
from reportit.accounts.passwords import (
    MIN_PASSWORD, end_sessions, password_matches, password_problem, reset_for, set_password, use_reset,
)
from reportit.accounts.tables import PasswordReset
from reportit.console.access import EVERYONE, error_page, form_of, render, staff_only
from reportit.console.audit import record


def _new_password_errors(password: str, again: str) -> dict[str, str]:
    problem = password_problem(password)
    if problem:
        return {"password": problem}
    if password != again:
        return {"password_again": "The two passwords do not match"}
    return {}


def _stale(request: Request) -> Response:
    return error_page(request, 410, "This link does not work any more",
                      "Password links work once, for a day. Ask a console administrator to send a new one.")


async def reset_page(request: Request) -> Response:
    reset = await reset_for(request.path_params["token"])
    if reset is None:
        return _stale(request)
    return render(request, "password.html", {"reset": reset, "min_password": MIN_PASSWORD})


async def reset_password(request: Request) -> Response:
    reset = await reset_for(request.path_params["token"])
    if reset is None:
        return _stale(request)
    form = await form_of(request)
    errors = _new_password_errors(str(form.get("password", "")), str(form.get("password_again", "")))
    if errors:
        return render(request, "password.html", {"reset": reset, "errors": errors, "min_password": MIN_PASSWORD},
                      status_code=422)
    async with database.write_transaction(PasswordReset._meta.db):
        if not await use_reset(reset["id"]):
            return _stale(request)
        await set_password(reset["user"], str(form["password"]))
        await end_sessions(reset["user"])  # whoever knew the old password is signed out too
        await record(reset["user"], reset["email"], "password_reset_used", target=reset["email"])
    return RedirectResponse("/console/sign-in?password_set=1", status_code=303)


@staff_only(*EVERYONE)
async def own_password_page(request: Request, staff: StaffMember) -> Response:
    return render(request, "password.html", {"min_password": MIN_PASSWORD,
                                             "done": "done" in request.query_params}, staff=staff)


@staff_only(*EVERYONE)
async def change_own_password(request: Request, staff: StaffMember) -> Response:
    form = await form_of(request)
    current = str(form.get("current_password", ""))
    errors = {} if current else {"current_password": "Enter your current password"}
    if current and not await password_matches(staff.user_id, current):
        errors["current_password"] = "Your current password is not right"
    errors = errors or _new_password_errors(str(form.get("password", "")), str(form.get("password_again", "")))
    if errors:
        return render(request, "password.html", {"errors": errors, "min_password": MIN_PASSWORD},
                      status_code=422, staff=staff)
    async with database.write_transaction(PasswordReset._meta.db):
        await set_password(staff.user_id, str(form["password"]))
        # Signed out everywhere else: a lost phone's app session stops with the old password.
        await end_sessions(staff.user_id, keep=request.cookies.get(SESSION_COOKIE))
        await record(staff.user_id, staff.email, "password_changed", target=staff.email)
    return RedirectResponse("/console/account/password?done=1", status_code=303)
