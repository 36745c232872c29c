"""Permanent report pages (/r/{reference}) and photo files: server-rendered, no JavaScript needed."""

from __future__ import annotations

import re
from datetime import datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from reportit.reports.access import page_viewer
from reportit.reports.arrivals import arriving
from reportit.reports.previews import preview_owners
from reportit.reports.present import photo_url
from reportit.reports.present import load_view, report_json
from reportit.reports.references import NEVER_CONTAINS, normalise, spoken
from reportit.reports.tables import Photo
from reportit.reports.visibility import columns, is_public
from reportit.app_state import services

_KEY = re.compile(r"^[0-9a-f]{64}$")


def human_time(value: str) -> str:
    when = datetime.fromisoformat(value)
    return f"{when:%-d %B %Y} at {when:%H:%M}"


def _answers(report: dict, settings) -> list[dict]:
    category = settings.catalogue.category(report["category"]["code"])
    if category is None:
        return []
    shown = []
    for question in sorted(category.questions, key=lambda q: q.order):
        value = report["answers"].get(question.code)
        if value in (None, "", []):
            continue
        values = value if isinstance(value, list) else [value]
        names = [(question.choice(v).name if isinstance(v, str) and question.choice(v) else str(v)) for v in values]
        shown.append({"question": question.description, "value": ", ".join(names)})
    return shown


async def report_page(request: Request) -> Response:
    settings = services(request).settings
    templates = services(request).templates
    asked = request.path_params["reference"]
    reference = normalise(asked)
    if reference and reference != asked:
        return RedirectResponse(f"/r/{reference}", status_code=301)
    view = await load_view(reference) if reference else None
    # Who is asking matters only for a report that is not public: a shared public page looks up
    # no device or staff session.
    asking = await page_viewer(request) if view is not None and not is_public(view.report) else None
    if view is None or (asking is not None and not asking.can_see_private(view.report)):
        # Private and someone else's looks exactly like no such report: references cannot be probed.
        return templates.TemplateResponse(
            request, "report_not_found.html", {"asked": asked[:20], "never_contains": NEVER_CONTAINS},
            status_code=404,
        )
    if asking is not None and not asking.is_staff_on(view.report):
        # The reporter's own phone: a page anyone could be shown (a shared link, a screen) never
        # holds private details; the app's My reports does.
        return templates.TemplateResponse(
            request, "report_private.html", {}, status_code=403, headers={"Cache-Control": "no-store"}
        )
    report = report_json(view, settings)
    timeline = [{**step, "when": human_time(step["at"])} for step in reversed(report["history"])]
    return templates.TemplateResponse(
        request,
        "report.html",
        {
            "report": report,
            "reference_spoken": spoken(reference),
            "category_name": report["category"]["name"],
            "status": report["status"],
            "created_human": human_time(report["created_at"]),
            "answers": _answers(report, settings),
            "timeline": timeline,
            "arriving": await arriving(view.report["id"]),
            "preview_url": photo_url,
        },
        headers={"Cache-Control": "no-cache"},
    )


async def photo_file(request: Request) -> Response:
    key = request.path_params["key"]
    if not _KEY.match(key):
        raise HTTPException(404)
    rows = await (
        Photo.select(Photo.hidden, *columns(Photo.report), Photo.report.device,
                     Photo.report.account, Photo.report.staff_user)
        .where((Photo.key == key) | (Photo.thumb_key == key))
    ) or await preview_owners(key)  # a photo's preview, shown until the photo itself arrives
    if not rows:
        raise HTTPException(404)
    # Identical bytes are stored once: public when a public report shows them and staff hid them nowhere.
    public = (not any(r["hidden"] for r in rows)
              and any(is_public(r, prefix="report.") for r in rows))
    if not public:
        asking = await page_viewer(request)  # looked up once, however many reports share the photo
        if not any(asking.can_see_private({"device": r["report.device"], "account": r["report.account"],
                                           "staff_user": r["report.staff_user"]})
                   for r in rows):
            raise HTTPException(404)
    # The bytes behind a key never change, but a photo can be hidden or its report made private
    # later: shared caches may keep a public photo for an hour at most. Private ones stay out of them.
    headers = {"Cache-Control": "public, max-age=3600" if public else "private, max-age=3600"}
    store = services(request).photo_store
    path = store.path_for(key)
    if path is not None:
        if not path.is_file():
            raise HTTPException(404)
        return FileResponse(path, media_type="image/jpeg", headers=headers)
    # An object store: the bytes pass through here, after the access check above, rather than
    # through a signed URL a private photo's link could be shared by.
    try:
        data = await store.read(key)
    except FileNotFoundError:
        raise HTTPException(404) from None
    return Response(data, media_type="image/jpeg", headers=headers)


routes = [
    Route("/r/{reference}", report_page, methods=["GET"]),
    Route("/media/{key}.jpg", photo_file, methods=["GET"]),
]
