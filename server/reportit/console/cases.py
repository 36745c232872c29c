"""The case page and its forms. Each form posts to its own address, answers a success with a
redirect back (so reloading never repeats it), and an error with the page and an error summary."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reportit.accounts.identity import StaffMember
from reportit.console import casework, duplicates, moderation
from reportit.console.access import CASEWORK, EVERYONE, error_page, form_of, render, staff_only
from reportit.console.case_view import case_context, templates_for
from reportit.console.casework import CaseError, caseworkers, load_case
from reportit.console.reporter import reporter_summary
from reportit.app_state import services

DONE = {
    "status": "Status saved. The reporter will be told about a new status or public message.",
    "note": "Internal note added.",
    "assign": "Assignment saved.",
    "category": "Category changed.",
    "duplicate": "Marked as a duplicate. Its followers were told and now follow the original.",
    "hide": "Report visibility changed.",
    "redact": "Redaction saved. The original is kept for audit.",
    "photo": "Photo changed. The original is kept for audit.",
}


async def _case_or_404(request: Request, staff: StaffMember) -> dict | Response:
    report = await load_case(request.path_params["reference"])
    # Wardens see only the reports they filed; to them, others do not exist.
    if report is None or (staff.role == "warden" and report["staff_user"] != staff.user_id):
        return error_page(request, 404, "Case not found",
                          "There is no case with that reference. Check it and try again.", staff)
    return report


async def show_case(request: Request, staff: StaffMember, *, errors: dict[str, str] | None = None,
                    values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    report = await _case_or_404(request, staff)
    if isinstance(report, Response):
        return report
    settings = services(request).settings
    context = await case_context(report, settings, staff.email)
    context.update({
        "errors": errors or {},
        "values": values or {},
        "done": DONE.get(request.query_params.get("done", "")),
        "workers": await caseworkers() if staff.works_cases else [],
        "statuses": settings.catalogue.statuses,
        "categories": settings.catalogue.categories,
        "map": settings.catalogue.map,
        "reporter": await reporter_summary(report, staff),
    })
    return render(request, "case.html", context, status_code=status_code, staff=staff)


@staff_only(*EVERYONE)
async def case_page(request: Request, staff: StaffMember) -> Response:
    return await show_case(request, staff)


def _action(name: str):
    """A case form handler: load the case, run the action, redirect or show the errors."""

    def decorate(run):
        @staff_only(*CASEWORK)
        async def endpoint(request: Request, staff: StaffMember) -> Response:
            report = await _case_or_404(request, staff)
            if isinstance(report, Response):
                return report
            form = await form_of(request)
            values = {k: str(v) for k, v in form.items() if k != "csrftoken"}
            try:
                result = await run(request, staff, report, values)
            except CaseError as error:
                return await show_case(request, staff, errors={error.field: error.message}, values=values,
                                       status_code=422)
            if isinstance(result, Response):
                return result
            return RedirectResponse(f"/console/reports/{report['reference']}?done={name}#top", status_code=303)

        endpoint.__name__ = f"case_{name}"
        return endpoint

    return decorate


@_action("status")
async def change_status(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    settings = services(request).settings
    if values.get("action") == "use_template":
        # Without JavaScript: put the chosen template's text in the form and show it again to edit.
        chosen = next((t for t in templates_for(report, settings) if t["code"] == values.get("template")), None)
        if chosen is None:
            raise CaseError("template", "Choose a response template")
        filled = {**values, "public_message": chosen["text"], "status": chosen["status"] or values.get("status", "")}
        return await show_case(request, staff, values=filled)
    await casework.update_status(staff, report, settings, values.get("status", ""), values.get("public_message", ""),
                                 values.get("internal_note", ""))


@_action("note")
async def add_note(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    await casework.add_note(staff, report, values.get("note", ""))


@_action("assign")
async def assign(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    assignee = str(staff.user_id) if values.get("action") == "me" else values.get("assignee", "")
    await casework.assign(staff, report, assignee)


@_action("category")
async def recategorise(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    await casework.recategorise(staff, report, services(request).settings, values.get("category", ""),
                                values.get("category_message", ""))


@_action("duplicate")
async def mark_duplicate(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    await duplicates.mark_duplicate(staff, report, services(request).settings, values.get("original", ""),
                                    values.get("duplicate_message", ""),
                                    different_category_confirmed=values.get("confirm_merge") == "yes")


@_action("hide")
async def hide(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    await casework.set_hidden(staff, report, values.get("hidden") == "1")


@_action("redact")
async def redact_text(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    field = values.get("field", "")
    await moderation.redact_text(staff, report, field, values.get(f"replacement_{field}", values.get("replacement", "")))


def _photo_id(request: Request) -> int:
    try:
        return int(request.path_params["photo_id"])
    except ValueError:
        raise CaseError("photo", "That photo is not part of this report") from None


@_action("photo")
async def photo_visibility(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    await moderation.set_photo_hidden(staff, report, _photo_id(request), values.get("hidden") == "1",
                                      services(request).photo_store)


@_action("photo")
async def photo_redact(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    box = moderation.parse_box([values.get(k, "") for k in ("left", "top", "width", "height")])
    await moderation.redact_photo(staff, report, _photo_id(request), box, services(request).photo_store)


@_action("photo")
async def preview_hide(request: Request, staff: StaffMember, report: dict, values: dict[str, str]):
    await moderation.hide_preview(staff, report, int(request.path_params["upload_id"]), services(request).photo_store)
