"""`/a/{reference}`: an application's permanent page, server-rendered and readable with no
JavaScript (opened from an email or a push): its one clear deadline, what is proposed, every
version, the council's documents. Applications hold no personal data; the staff member who
recorded a version is not shown."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from reportit.app_state import services
from reportit.applications.deadline import day_words, today_in
from reportit.applications.present import application_json, history, load, page_path, stored_reference, version_json
from reportit.applications.representations_public import counts, published


def app_path(reference: str) -> str:
    """The application's screen in the app, where a resident comments (pwa/lib/applications.js appPath)."""
    return "/applications?reference=" + quote(reference, safe="")


def _when(iso: str | None, today) -> str:
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    return day_words(moment.date(), today)


async def application_page(request: Request) -> Response:
    state = services(request)
    asked = request.path_params["reference"]
    row = await load(asked)
    if row is None:
        # One URL per application, as /r/ has: a reference typed in another case moves there.
        reference = await stored_reference(asked)
        if reference is not None and reference != asked:
            return RedirectResponse(page_path(reference), status_code=301)
        return state.templates.TemplateResponse(request, "application_not_found.html", {"asked": asked.strip()[:100]},
                                                status_code=404)
    rules = state.settings.catalogue.applications
    today = today_in(rules)
    application = application_json(row, rules, today, state.settings.config.base_url)
    versions = [{**version_json(v, today), "when": _when(v["created_at"].isoformat(), today)}
                for v in await history(row["id"])]
    dates = {key: day_words(row[key], today) for key in ("consultation_start", "hearing_date", "decision_date")
             if row[key]}
    if application["consultation"]["closes_on"]:
        dates["closes_on"] = day_words(date.fromisoformat(application["consultation"]["closes_on"]), today)
    return state.templates.TemplateResponse(request, "application.html", {
        "application": application, "in_the_app": app_path(row["reference"]), "versions": versions, "dates": dates,
        "representations": await published(row["id"], row["regime"], rules.redaction, today),
        "counts": await counts(row["id"]),
    }, headers={"Cache-Control": "no-cache"})


routes = [Route("/a/{reference:path}", application_page, methods=["GET"])]
