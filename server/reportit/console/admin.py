"""Admin pages: staff and their roles, the audit log, and the council settings (read-only here:
categories, SLA days and response templates live in the TOML file)."""

from __future__ import annotations

import json

from piccolo.apps.user.tables import BaseUser
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reportit import database
from reportit.accounts.identity import StaffMember
from reportit.accounts.passwords import password_problem
from reportit.accounts.staff import add_staff
from reportit.accounts.tables import ROLES, StaffRole
from reportit.contact import valid_email
from reportit.console.access import ADMIN, form_of, render, staff_only
from reportit.console import readable
from reportit.console.audit import ACTIONS, record
from reportit.console.tables import AuditLog
from reportit.reports.references import normalise
from reportit.reports.tables import Report
from reportit.app_state import services

AUDIT_PAGE = 100


async def staff_rows() -> list[dict]:
    return await (StaffRole.select(StaffRole.user.id.as_alias("id"), StaffRole.user.email.as_alias("email"),
                                   StaffRole.user.active.as_alias("active"), StaffRole.user.last_login.as_alias("last_login"),
                                   StaffRole.role)
                  .order_by(StaffRole.user.email))


async def show_admin(request: Request, staff: StaffMember, *, errors: dict[str, str] | None = None,
                     values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    settings = services(request).settings
    return render(request, "admin.html", {
        "people": await staff_rows(), "roles": ROLES, "errors": errors or {}, "values": values or {},
        "done": request.query_params.get("done", ""), "settings": settings,
    }, status_code=status_code, staff=staff)


@staff_only(*ADMIN)
async def admin_page(request: Request, staff: StaffMember) -> Response:
    return await show_admin(request, staff)


@staff_only(*ADMIN)
async def add_person(request: Request, staff: StaffMember) -> Response:
    form = await form_of(request)
    values = {k: str(form.get(k, "")) for k in ("email", "role")}
    email = values["email"].strip().lower()
    password = str(form.get("password", ""))
    errors = {}
    if not valid_email(email):
        errors["email"] = "Enter an email address, like name@example.gov.uk"
    elif await BaseUser.exists().where(BaseUser.email == email):
        errors["email"] = "Someone already has an account with that email address"
    if values["role"] not in ROLES:
        errors["role"] = "Choose a role"
    if password_problem(password):
        errors["password"] = password_problem(password)
    if errors:
        return await show_admin(request, staff, errors=errors, values=values, status_code=422)
    async with database.write_transaction(BaseUser._meta.db):
        await add_staff(email, password, values["role"])
        await record(staff.user_id, staff.email, "staff_added", target=email, after={"role": values["role"]})
    return RedirectResponse("/console/admin?done=added", status_code=303)


@staff_only(*ADMIN)
async def change_role(request: Request, staff: StaffMember) -> Response:
    form = await form_of(request)
    role = str(form.get("role", ""))
    user_id = request.path_params["user_id"]
    row = await StaffRole.select(StaffRole.role, StaffRole.user.email.as_alias("email")).where(
        StaffRole.user == user_id).first()
    if row is None or role not in ROLES:
        return await show_admin(request, staff, errors={"role": "Choose a role for someone on the list"},
                                status_code=422)
    if user_id == staff.user_id and role != "admin":
        return await show_admin(request, staff, errors={"role": "You cannot remove your own admin role"},
                                status_code=422)
    if role != row["role"]:
        async with database.write_transaction(StaffRole._meta.db):
            await StaffRole.update({StaffRole.role: role}).where(StaffRole.user == user_id)
            await record(staff.user_id, staff.email, "role_changed", target=row["email"],
                         before={"role": row["role"]}, after={"role": role})
    return RedirectResponse("/console/admin?done=role", status_code=303)


@staff_only(*ADMIN)
async def audit_page(request: Request, staff: StaffMember) -> Response:
    params = request.query_params
    where = AuditLog.id > 0
    action = params.get("action", "")
    if action in ACTIONS:
        where &= AuditLog.action == action
    reference = normalise(params.get("reference", "") or "")
    if reference:
        report = await Report.select(Report.id).where(Report.reference == reference).first()
        where &= AuditLog.report == (report["id"] if report else -1)
    try:
        page = min(10_000, max(1, int(params.get("page", "1"))))  # beyond: an offset SQLite cannot take
    except ValueError:
        page = 1
    rows = await (AuditLog.select(*AuditLog.all_columns(), AuditLog.report.reference.as_alias("reference"))
                  .where(where).order_by(AuditLog.id, ascending=False).limit(AUDIT_PAGE + 1)
                  .offset((page - 1) * AUDIT_PAGE))
    settings = services(request).settings
    for row in rows:
        for key in ("before", "after"):
            value = json.loads(row[key]) if isinstance(row[key], str) else row[key]
            row[key] = readable.changes(value, settings)
        row["action_name"] = ACTIONS.get(row["action"], row["action"])
        row["actor"] = readable.actor_name(row["actor"])
    return render(request, "audit.html", {
        "rows": rows[:AUDIT_PAGE], "more": len(rows) > AUDIT_PAGE, "page": page, "actions": ACTIONS,
        "action": action, "reference": reference or "",
    }, staff=staff)
