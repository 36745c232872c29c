"""The reports JSON API used by the resident app."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reportit.accounts.identity import StaffMember, bearer_token, device_from_request, set_device_cookie, staff_from_request
from reportit.accounts.tables import Device
from reportit.accounts.residents import account_id_of
from reportit.problems import Problem
from reportit.reports.owner import owner_of_device
from reportit.reports.access import can_see_private, visible
from reportit.reports.arrivals import take_declared, uploads_json
from reportit.reports.categories import categories_json
from reportit.reports.intake import Reporter, find_repeat, parse_idempotency_key, submit
from reportit.reports.present import load_view, load_views, report_json
from reportit.reports.references import normalise
from reportit.reports.submission import fingerprint, read_submission
from reportit.reports.upload import Limits, parse_multipart
from reportit.reports.upload_budget import Claim
from reportit.app_state import services

NOT_FOUND = Problem(
    404,
    "Report not found",
    "We can't find a report with that reference. Check it and try again: references have 8 letters and numbers.",
)


async def list_categories(request: Request) -> JSONResponse:
    settings = services(request).settings
    return JSONResponse(categories_json(settings), headers={"Cache-Control": "no-cache"})


async def create_report(request: Request) -> JSONResponse:
    key = parse_idempotency_key(request.headers.get("idempotency-key"))
    staff = await staff_from_request(request)
    device = await device_from_request(request, required=staff is None)
    await services(request).report_limiter.check(f"device:{device.id}" if device else f"staff:{staff.user_id}")
    with services(request).upload_budget.claim() as claim:
        return await _receive_report(request, key, staff, device, claim)


async def _receive_report(request: Request, key: uuid.UUID | None, staff: StaffMember | None, device: Device | None,
                          claim: Claim) -> JSONResponse:
    settings = services(request).settings
    limits = Limits(max_files=settings.config.max_photos, max_file_bytes=settings.config.max_photo_bytes)
    form = await parse_multipart(request, limits, claim=claim)
    digest = fingerprint(form)
    # The account the phone is signed in to now: the report stays that account's whatever the phone does later.
    account_id = await account_id_of(device.id) if device else None
    reporter = Reporter(device=device, account_id=account_id, staff=staff, source="app",
                        actor=f"staff:{staff.email}" if staff else "resident")
    # A repeat is answered before the fields are checked again: if the categories or questions
    # changed since the first attempt was stored, the retry must still get its report, not a 422.
    repeat = await find_repeat(key, digest)
    if repeat is not None:
        view = await load_view(repeat.reference)
        assert view is not None
        return JSONResponse(await _with_uploads(report_json(view, settings, for_reporter=True), repeat.id),
                            status_code=200, headers={"Location": f"/api/reports/{repeat.reference}"})
    declared = take_declared(form, files=len(form.files), max_photos=settings.config.max_photos,
                             max_bytes=settings.config.max_photo_bytes)
    submission = read_submission(form, settings)
    result = await submit(
        submission,
        settings=settings,
        store=services(request).photo_store,
        reporter=reporter,
        idempotency_key=key,
        fingerprint=digest,
        repeat_checked=True,
        category_ids=services(request).category_ids,
        claim=claim,
        declared_photos=declared,
    )
    # Photos the server held already joined the report as it was stored: read it back to show them.
    view = (None if declared else result.view) or await load_view(result.report.reference)
    assert view is not None
    body = await _with_uploads(report_json(view, settings, for_reporter=True), result.report.id)
    return JSONResponse(
        body,
        status_code=201 if result.created else 200,
        headers={"Location": f"/api/reports/{result.report.reference}"},
    )


async def _with_uploads(body: dict, report_id: int) -> dict:
    """A report sent photo by photo also tells its phone where each photo goes (reports/arrivals.py)."""
    uploads = await uploads_json(report_id)
    return {**body, "uploads": uploads} if uploads else body


async def get_report(request: Request) -> JSONResponse:
    settings = services(request).settings
    reference = normalise(request.path_params["reference"])
    view = await load_view(reference) if reference else None
    if view is None or not await visible(request, view.report):
        raise NOT_FOUND
    mine = await can_see_private(request, view.report)
    body = report_json(view, settings, for_reporter=mine)
    return JSONResponse(await _with_uploads(body, view.report["id"]) if mine else body)


async def my_reports(request: Request) -> JSONResponse:
    settings = services(request).settings
    device = await device_from_request(request)
    assert device is not None
    # Signed in: the account's reports from every phone, so a new phone sees the whole history;
    # signed out: what this phone sent while it was not signed in.
    views = await load_views((await owner_of_device(device.id)).where())
    reports = [report_json(view, settings, for_reporter=True) for view in views]
    response = JSONResponse({"reports": reports})
    # Phones registered before the cookie existed get it here (and everyone's is renewed).
    set_device_cookie(request, response, bearer_token(request))
    return response


routes = [
    Route("/api/categories", list_categories, methods=["GET"]),
    Route("/api/reports", create_report, methods=["POST"]),
    Route("/api/reports/{reference}", get_report, methods=["GET"]),
    Route("/api/me/reports", my_reports, methods=["GET"]),
]

_REPORT = {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}
_PROBLEM_RESPONSE = {
    "description": "A problem the caller can put right (RFC 9457), with per-field messages.",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}

OPENAPI_SCHEMAS = {
    "Report": {
        "type": "object",
        "required": ["reference", "url", "category", "status", "location", "photos", "history", "created_at"],
        "properties": {
            "reference": {"type": "string", "pattern": "^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$"},
            "reference_spoken": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "category": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
            "status": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"},
                "kind": {"type": "string", "enum": ["open", "closed", "fixed"]}}},
            "description": {"type": "string"},
            "answers": {"type": "object"},
            "location": {"type": "object", "properties": {
                "latitude": {"type": ["number", "null"]}, "longitude": {"type": ["number", "null"]},
                "accuracy": {"type": ["number", "null"]}, "source": {"type": "string"},
                "description": {"type": "string"}}},
            "photos": {"type": "array", "items": {"type": "object", "properties": {
                "url": {"type": "string"}, "thumbnail_url": {"type": "string"},
                "width": {"type": "integer"}, "height": {"type": "integer"}}}},
            "history": {"type": "array", "items": {"type": "object", "properties": {
                "status": {"type": "string"}, "status_name": {"type": "string"},
                "message": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}}},
            "private": {"type": "boolean"},
            "duplicate_of": {"type": ["object", "null"], "description": "The report this one duplicates, when it is public.",
                             "properties": {"reference": {"type": "string"}, "reference_spoken": {"type": "string"},
                                            "url": {"type": "string", "format": "uri"}}},
            "contact": {"type": "object", "description": "Only for the reporter and staff."},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "NewReport": {
        "type": "object",
        "required": ["category"],
        "properties": {
            "category": {"type": "string", "description": "A category code from GET /api/categories (not a signpost)."},
            "description": {"type": "string", "maxLength": 4000},
            "answers": {"type": "string", "description": "JSON object: question code -> answer (string or list)."},
            "latitude": {"type": "number", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
            "accuracy": {"type": "number", "minimum": 0, "description": "Metres."},
            "location_source": {"type": "string", "enum": ["device", "map", "photo", "text"]},
            "location_text": {"type": "string", "maxLength": 500, "description": "The place in words."},
            "contact_name": {"type": "string"},
            "contact_email": {"type": "string", "format": "email"},
            "contact_phone": {"type": "string"},
            "observed_at": {"type": "string", "format": "date-time"},
            "photo": {"type": "array", "maxItems": 5, "items": {"type": "string", "format": "binary"},
                      "description": "JPEG, PNG, WebP or HEIC; metadata is removed."},
            "photo_sha256": {"type": "array", "maxItems": 5, "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                             "description": "Photos sent after the report (resumably): each one's SHA-256, in order. "
                                            "The answer's `uploads` say where each goes."},
            "photo_size": {"type": "array", "maxItems": 5, "items": {"type": "integer"},
                           "description": "Each declared photo's length in bytes, in the same order."},
        },
    },
}

OPENAPI_PATHS = {
    "/api/categories": {
        "get": {
            "summary": "Categories in groups, with extra questions or a partner signpost",
            "responses": {"200": {"description": "Groups and categories"}},
        }
    },
    "/api/reports": {
        "post": {
            "summary": "Send a report (multipart); repeat safely with the same Idempotency-Key",
            "security": [{"device": []}],
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "format": "uuid"}}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {
                "schema": {"$ref": "#/components/schemas/NewReport"}}}},
            "responses": {
                "201": {"description": "Stored", "content": _REPORT},
                "200": {"description": "A repeat: the report stored earlier under this key", "content": _REPORT},
                "400": _PROBLEM_RESPONSE, "401": _PROBLEM_RESPONSE, "413": _PROBLEM_RESPONSE,
                "415": _PROBLEM_RESPONSE, "422": _PROBLEM_RESPONSE,
                "429": _PROBLEM_RESPONSE,  # too many reports from this device just now; see Retry-After
                "503": _PROBLEM_RESPONSE,  # busy, or no room for its photos just now (nothing stored); see Retry-After
            },
        }
    },
    "/api/reports/{reference}": {
        "get": {
            "summary": "One report (private ones only for their reporter and staff)",
            "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The report", "content": _REPORT}, "404": _PROBLEM_RESPONSE},
        }
    },
    "/api/me/reports": {
        "get": {
            "summary": "Reports sent from this device, or (signed in) from every device of the account, newest first",
            "security": [{"device": []}],
            "responses": {"200": {"description": "The reports, with the reporter's own details", "content": {
                "application/json": {"schema": {"type": "object", "required": ["reports"], "properties": {
                    "reports": {"type": "array", "items": {"$ref": "#/components/schemas/Report"}}}}}}},
                "401": _PROBLEM_RESPONSE},
        }
    },
}
