"""Residents' data requests that arrive by post or phone, handled by an admin: download what is
held about an account, or erase it. Both are in the console's audit log and the accounts audit."""

from __future__ import annotations

import json
from datetime import date

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reportit import database
from reportit.accounts.addresses import email_error
from reportit.accounts.erase import DELETED, KEPT, erase_by_email
from reportit.accounts.export import export_by_email
from reportit.accounts.identity import StaffMember
from reportit.console.access import ADMIN, form_of, render, staff_only
from reportit.console.audit import record
from reportit.console.tables import AuditLog
from reportit.problems import Problem
from reportit.app_state import services

CONFIRM = "erase"


async def _page(request: Request, staff: StaffMember, *, errors: dict[str, str] | None = None,
                values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "resident_accounts.html", {
        "errors": errors or {}, "values": values or {}, "done": request.query_params.get("done", ""),
        "deleted": DELETED, "kept": KEPT,
    }, status_code=status_code, staff=staff)


@staff_only(*ADMIN)
async def residents_page(request: Request, staff: StaffMember) -> Response:
    return await _page(request, staff)


async def _read(request: Request, field: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The email address in `field`, its error (if any) and every value, to show the form again."""
    form = await form_of(request)
    values = {k: str(form.get(k, "")) for k in ("email", "erase_email", "confirm")}
    error = email_error(values[field], field)
    return values[field].strip().lower(), ({field: error.message} if error else {}), values


@staff_only(*ADMIN)
async def export_account(request: Request, staff: StaffMember) -> Response:
    email, errors, values = await _read(request, "email")
    if not errors:
        try:
            data = await export_by_email(email, services(request).settings, actor=f"staff:{staff.email}")
        except Problem as problem:
            errors = {"email": problem.detail}
    if errors:
        return await _page(request, staff, errors=errors, values=values, status_code=422)
    async with database.write_transaction(AuditLog._meta.db):
        await record(staff.user_id, staff.email, "account_exported", after={"reports": len(data.get("reports", []))})
    return Response(json.dumps(data, indent=2, ensure_ascii=False), media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="resident-data-{date.today():%Y-%m-%d}.json"',
        "Cache-Control": "no-store"})


@staff_only(*ADMIN)
async def erase_account(request: Request, staff: StaffMember) -> Response:
    email, errors, values = await _read(request, "erase_email")
    if values["confirm"].strip().lower() != CONFIRM:
        errors["confirm"] = f"Type “{CONFIRM}” to confirm. Nothing has been deleted."
    if not errors:
        try:
            await erase_by_email(email, services(request).settings, actor=f"staff:{staff.email}")
        except Problem as problem:
            errors = {"erase_email": problem.detail}
    if errors:
        return await _page(request, staff, errors=errors, values=values, status_code=422)
    async with database.write_transaction(AuditLog._meta.db):
        await record(staff.user_id, staff.email, "account_erased")
    return RedirectResponse("/console/admin/residents?done=erased", status_code=303)
