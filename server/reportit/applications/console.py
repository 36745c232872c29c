"""The officers' console for applications: the list with filters, an application's page with its
versions, and recording a decision (a new version, ApplicationChanged to the residents watching,
and a line in the audit log, all in one transaction)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from piccolo.engine.postgres import PostgresEngine
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reportit import database
from reportit.accounts.identity import StaffMember
from reportit.app_state import services
from reportit.applications.deadline import day_words, today_in
from reportit.applications.present import COLUMNS, application_json, history, load, version_json
from reportit.applications.representations_console import for_application
from reportit.applications.rows import STATUS_ALIASES
from reportit.applications.rules import REGIMES
from reportit.applications.summary import status_name
from reportit.applications.tables import Application, ApplicationStatus
from reportit.applications.versions import Proposed, record
from reportit.console.access import CASEWORK, EVERYONE, error_page, form_of, render, staff_only
from reportit.console.audit import record as audit
from reportit.places.areas import area_names

PAGE_SIZE = 50
MAX_DECISION = 200


def _filters(params) -> dict:
    status = params.get("status", "")
    return {"regime": params.get("regime", "") if params.get("regime", "") in REGIMES else "",
            "status": STATUS_ALIASES.get(status.replace("_", " "), ""), "type": params.get("type", "").strip()[:100],
            "q": params.get("q", "").strip()[:200], "ward": params.get("ward", "").strip()[:200]}


@staff_only(*EVERYONE)
async def applications_list(request: Request, staff: StaffMember) -> Response:
    chosen = _filters(request.query_params)
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    conditions = []
    if chosen["regime"]:
        conditions.append(Application.regime == chosen["regime"])
    if chosen["status"]:
        conditions.append(Application.status == chosen["status"])
    if chosen["type"]:
        conditions.append(Application.application_type == chosen["type"])
    if chosen["ward"]:
        conditions.append(Application.ward == chosen["ward"])
    if chosen["q"]:
        words = f"%{chosen['q']}%"
        # SQLite's LIKE ignores case already (and has no ILIKE); PostgreSQL's ILIKE does the same.
        like = "ilike" if isinstance(Application._meta.db, PostgresEngine) else "like"
        conditions.append(getattr(Application.reference, like)(words) | getattr(Application.address, like)(words)
                          | getattr(Application.description, like)(words))
    query = Application.select(*(getattr(Application, c) for c in COLUMNS)).order_by(Application.updated_at, ascending=False)
    count = Application.count()
    if conditions:
        query, count = query.where(*conditions), count.where(*conditions)
    rows = await query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    total = await count
    settings = services(request).settings
    rules = settings.catalogue.applications
    today = today_in(rules)
    items = [application_json(r, rules, today, "") for r in rows]
    kept = {k: v for k, v in chosen.items() if v}
    return render(request, "console_applications.html", {
        "items": items, "total": total, "page": page, "chosen": chosen, "regimes": REGIMES,
        "statuses": [(s.value, status_name(s.value)) for s in ApplicationStatus],
        "types": sorted({(t.regime, t.code, t.name) for t in rules.types}), "wards": await area_names("ward"),
        "next": f"?{urlencode({**kept, 'page': page + 1})}" if page * PAGE_SIZE < total else "",
        "previous": f"?{urlencode({**kept, 'page': page - 1})}" if page > 1 else "",
        "quote": quote,
    }, staff=staff)


async def _page(request: Request, staff: StaffMember, reference: str, *, errors: dict[str, str] | None = None,
                values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    row = await load(reference)
    if row is None:
        return error_page(request, 404, "No such application", f"There is no application {reference[:100]}.", staff)
    settings = services(request).settings
    rules = settings.catalogue.applications
    today = today_in(rules)
    versions = await history(row["id"])
    return render(request, "console_application.html", {
        "application": application_json(row, rules, today, ""), "errors": errors or {},
        "values": values or {"decision_date": today.isoformat()}, "today": today.isoformat(),
        "versions": [{**version_json(v, today), "actor": v["actor"], "when": day_words(v["created_at"].date(), today)
                      + v["created_at"].strftime(" %H:%M")} for v in versions],
        "base": "/console/applications/" + quote(row["reference"], safe="/"),
        "done": request.query_params.get("done", ""),
        # Representors' names, addresses and emails are casework: a warden sees the application only.
        "representations": await for_application(row, rules, today) if staff.role in CASEWORK else None,
    }, status_code=status_code, staff=staff)


@staff_only(*EVERYONE)
async def application_page(request: Request, staff: StaffMember) -> Response:
    return await _page(request, staff, request.path_params["reference"])


@staff_only(*CASEWORK)
async def record_decision(request: Request, staff: StaffMember) -> Response:
    reference = request.path_params["reference"]
    form = await form_of(request)
    values = {k: str(form.get(k, "")).strip() for k in ("decision", "decision_date")}
    errors: dict[str, str] = {}
    if not values["decision"]:
        errors["decision"] = "Enter the decision, for example “Granted with conditions” or “Refused”."
    elif len(values["decision"]) > MAX_DECISION:
        errors["decision"] = f"Keep the decision to {MAX_DECISION} characters; the reasons belong in the decision notice."
    decided_on = None
    try:
        decided_on = date.fromisoformat(values["decision_date"])
    except ValueError:
        errors["decision_date"] = "Enter the date of the decision, for example 2026-12-11."
    rules = services(request).settings.catalogue.applications
    current = await load(reference)
    if current is None:
        return error_page(request, 404, "No such application", f"There is no application {reference[:100]}.", staff)
    if decided_on and decided_on > today_in(rules):
        errors["decision_date"] = "The decision date cannot be in the future."
    elif decided_on and current["consultation_start"] and decided_on < current["consultation_start"]:
        errors["decision_date"] = "The decision date cannot be before the consultation started."
    if current["status"] == "withdrawn":
        errors["decision"] = "This application was withdrawn: there is nothing to decide."
    if errors:
        return await _page(request, staff, reference, errors=errors, values=values, status_code=422)
    settings = services(request).settings
    async with database.write_transaction(Application._meta.db):
        outcome = await record(Proposed(reference=current["reference"], regime=current["regime"], values={
            "status": "decided", "decision": values["decision"], "decision_date": decided_on}),
            settings, source="console", actor=staff.email)
        await audit(staff.user_id, staff.email, "application_decided", target=current["reference"],
                    before={"status": current["status"], "decision": current["decision"],
                            "decision_date": current["decision_date"]},
                    after={"status": "decided", "decision": values["decision"], "decision_date": decided_on})
    done = "decided" if outcome != "unchanged" else "unchanged"
    return RedirectResponse(f"/console/applications/{quote(current['reference'], safe='/')}?done={done}", status_code=303)
