"""The case list at /console/: filters, counts per status, sortable columns, pages, and the same
filter as map points for the enhanced map."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from reportit.accounts.identity import StaffMember
from reportit.console.access import EVERYONE, render, staff_only
from reportit.console.filters import CaseFilter, parse_filter
from reportit.console.queries import case_page, map_points
from reportit.places.areas import area_names
from reportit.places.naming import place_words
from reportit.reports.references import normalise
from reportit.reports.tables import Report
from reportit.app_state import services


async def jump_to_reference(f: CaseFilter, staff: StaffMember) -> str | None:
    """A search that is exactly a reference opens that case straight away."""
    reference = normalise(f.q) if f.q else None
    if reference is None:
        return None
    row = await Report.select(Report.reference, Report.staff_user).where(Report.reference == reference).first()
    if row is None or (staff.role == "warden" and row["staff_user"] != staff.user_id):
        return None
    return f"/console/reports/{reference}"



def filter_context(f: CaseFilter, settings) -> dict:
    return {
        "filter": f,
        "statuses": settings.catalogue.statuses,
        "groups": settings.catalogue.groups,
        "categories": settings.catalogue.categories,
        "category_names": {c.code: c.name for c in settings.catalogue.categories},
        "status_names": {s.code: s.name for s in settings.catalogue.statuses},
        "map": settings.catalogue.map,
        "place_words": place_words,
    }


@staff_only(*EVERYONE)
async def case_list(request: Request, staff: StaffMember) -> Response:
    settings = services(request).settings
    f = parse_filter(request.query_params, settings)
    target = await jump_to_reference(f, staff)
    if target:
        return RedirectResponse(target, status_code=303)
    page = await case_page(f, staff, settings)
    first = (page.page - 1) * 50 + 1 if page.total else 0
    return render(request, "cases.html", {
        **filter_context(f, settings), "page": page, "first": first, "last": first + len(page.rows) - 1,
        "errors": f.errors, "wards": await area_names(),
    }, staff=staff)


@staff_only(*EVERYONE)
async def case_map_points(request: Request, staff: StaffMember) -> Response:
    settings = services(request).settings
    f = parse_filter(request.query_params, settings)
    return JSONResponse(await map_points(f, staff, settings), headers={"Cache-Control": "no-store"})
