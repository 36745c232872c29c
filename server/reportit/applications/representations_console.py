"""The officers' console for representations: listed on an application's page (in full: name,
address, email; case officers and admins only, never wardens), moderation (publish redacted, or withhold with a reason), and the
export of all of an application's representations as CSV and as a printable page for the committee
report. Every action is a line in the audit log, in the transaction that does it."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reportit import database
from reportit.accounts.identity import StaffMember
from reportit.app_state import services
from reportit.applications.deadline import day_words, today_in
from reportit.applications.present import load
from reportit.applications.representation_rules import SENTIMENTS, grounds_for, known_streets
from reportit.applications.representation_tables import Representation
from reportit.applications.representations import grounds_list
from reportit.console.access import CASEWORK, error_page, form_of, render, staff_only
from reportit.console.audit import record as audit
from reportit.console.export import safe_cell

MAX_REASON = 1000
STATE_WORDS = {"waiting": "Waiting for moderation", "published": "Published (redacted)", "withheld": "Withheld"}


async def for_application(application: dict, rules, today) -> list[dict]:
    rows = await Representation.select(*Representation.all_columns()).where(
        Representation.application == application["id"]).order_by(Representation.received_at)
    names = grounds_for(application["regime"])
    known = await known_streets(row["address"] for row in rows)
    listed = []
    for row in rows:
        grounds = grounds_list(row)
        listed.append({**row, "grounds": grounds, "grounds_names": [names.get(g, g) for g in grounds],
                       "sentiment_name": SENTIMENTS[row["sentiment"]], "state_name": STATE_WORDS[row["state"]],
                       "received": day_words(row["received_at"].date(), today) + row["received_at"].strftime(" %H:%M"),
                       "published": rules.redaction.public({**row, "grounds": grounds}, known)})
    return listed


def _back(reference: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/applications/{quote(reference, safe='/')}?done={done}#representations",
                            status_code=303)


async def _moderate(request: Request, staff: StaffMember, state: str) -> Response:
    reference = request.path_params["reference"]
    application = await load(reference)
    if application is None:
        return error_page(request, 404, "No such application", f"There is no application {reference[:100]}.", staff)
    form = await form_of(request)
    reason = str(form.get("reason", "")).strip()
    if state == "withheld" and not reason:
        return error_page(request, 422, "Give a reason", "Say why this representation is withheld (for example "
                          "“Abusive language” or “Not about this application”): the reason is kept with it.", staff)
    if len(reason) > MAX_REASON:
        return error_page(request, 422, "Reason too long", f"Keep the reason to {MAX_REASON} characters.", staff)
    rid = request.path_params["representation"]
    async with database.write_transaction(Representation._meta.db):
        current = await Representation.select(Representation.state, Representation.reason).where(
            (Representation.id == rid) & (Representation.application == application["id"])).first()
        if current is None:
            return error_page(request, 404, "No such representation",
                              "That representation is not on this application.", staff)
        await Representation.update({Representation.state: state, Representation.reason: reason,
                                     Representation.moderated_by: staff.email,
                                     Representation.moderated_at: datetime.now(timezone.utc)}).where(
            Representation.id == rid)
        await audit(staff.user_id, staff.email, f"representation_{state}", target=f"{application['reference']}#{rid}",
                    before=dict(current), after={"state": state, "reason": reason})
    return _back(application["reference"], state)


@staff_only(*CASEWORK)
async def publish(request: Request, staff: StaffMember) -> Response:
    return await _moderate(request, staff, "published")


@staff_only(*CASEWORK)
async def withhold(request: Request, staff: StaffMember) -> Response:
    return await _moderate(request, staff, "withheld")


CSV_COLUMNS = ("id", "received_at", "late", "sentiment", "grounds", "text", "name", "address", "email", "state",
               "reason", "moderated_by")


async def _listed(request: Request, staff: StaffMember):
    reference = request.path_params["reference"]
    application = await load(reference)
    if application is None:
        return None, None, error_page(request, 404, "No such application",
                                      f"There is no application {reference[:100]}.", staff)
    rules = services(request).settings.catalogue.applications
    return application, await for_application(application, rules, today_in(rules)), None


@staff_only(*CASEWORK)
async def export_csv(request: Request, staff: StaffMember) -> Response:
    application, rows, problem = await _listed(request, staff)
    if problem is not None:
        return problem
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = {**row, "received_at": row["received_at"].isoformat(timespec="seconds"),
                  "late": "yes" if row["late"] else "no", "grounds": "; ".join(row["grounds_names"])}
        writer.writerow([safe_cell(values[c]) for c in CSV_COLUMNS])
    async with database.write_transaction(Representation._meta.db):
        await audit(staff.user_id, staff.email, "exported", target=application["reference"],
                    after={"representations": len(rows), "format": "csv"})
    name = "representations-" + "".join(c if c.isalnum() else "-" for c in application["reference"]) + ".csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@staff_only(*CASEWORK)
async def printable(request: Request, staff: StaffMember) -> Response:
    application, rows, problem = await _listed(request, staff)
    if problem is not None:
        return problem
    async with database.write_transaction(Representation._meta.db):
        await audit(staff.user_id, staff.email, "exported", target=application["reference"],
                    after={"representations": len(rows), "format": "print"})
    counted = {key: sum(1 for r in rows if r["sentiment"] == key and r["state"] != "withheld") for key in SENTIMENTS}
    return render(request, "console_representations_print.html", {
        "application": application, "rows": rows, "counted": counted, "sentiments": SENTIMENTS,
        "base": "/console/applications/" + quote(application["reference"], safe="/"),
    }, staff=staff)
