"""Open data: `GET /api/applications` (near a point with a radius, or in a bounding box; filters;
paging), `/api/applications.geojson`, and `GET /api/applications/{reference}` with its history.

Anyone may read these, from any site (CORS `*`), with no key: applications are public registers.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reportit.app_state import services
from reportit.applications.deadline import today_in
from reportit.applications.present import application_json, feature, history, load, stored_reference, version_json
from reportit.applications.rows import STATUS_ALIASES
from reportit.applications.rules import REGIMES
from reportit.applications.representations_public import counts, counts_for
from reportit.applications.search import Search, find
from reportit.problems import FieldError, Problem, invalid

MAX_RADIUS_M = 5000
MAX_LIMIT = 200
MAX_BOX_DEGREES = 0.5
OPEN = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60"}


def parse_search(params: Any) -> Search:
    errors: list[FieldError] = []
    near = _numbers(params.get("near"), 2, "near", "Give the place as latitude,longitude, e.g. 51.4975,-0.1357", errors)
    box = _numbers(params.get("bbox"), 4, "bbox", "Give the box as south,west,north,east, e.g. "
                   "51.49,-0.15,51.51,-0.12", errors)
    if near and not (-90 <= near[0] <= 90 and -180 <= near[1] <= 180):
        errors.append(FieldError("near", "Latitude must be between -90 and 90 and longitude between -180 and 180."))
    if box and not (box[0] < box[2] and box[1] < box[3] and box[2] - box[0] <= MAX_BOX_DEGREES
                    and box[3] - box[1] <= MAX_BOX_DEGREES):
        errors.append(FieldError("bbox", f"The box must run south to north and west to east, and be at most "
                                         f"{MAX_BOX_DEGREES} degrees each way."))
    radius = _whole(params.get("radius"), 500, 1, MAX_RADIUS_M, "radius", f"Give a radius between 1 and {MAX_RADIUS_M} metres.",
                    errors)
    limit = _whole(params.get("limit"), 50, 1, MAX_LIMIT, "limit", f"Give a limit between 1 and {MAX_LIMIT}.", errors)
    offset = _whole(params.get("offset"), 0, 0, 10_000_000, "offset", "Give the offset as a whole number, 0 or more.", errors)
    regimes = _listed(params.get("regime"), "regime", {r: r for r in REGIMES}, errors)
    statuses = _listed(params.get("status"), "status", STATUS_ALIASES, errors)
    types = tuple(t.strip() for t in (params.get("type") or "").split(",") if t.strip())
    if near and box:
        errors.append(FieldError("bbox", "Ask for applications near a point or in a box, not both."))
    if errors:
        raise invalid(errors, "Please check the search")
    wards = tuple(w.strip() for w in (params.get("ward") or "").split(",") if w.strip())
    return Search(near=near, radius=radius, box=box, regimes=regimes, statuses=statuses, types=types, wards=wards,
                  limit=limit, offset=offset)


async def known_wards(search: Search) -> Search:
    """The search with its ward names as the places domain spells them; a ward it does not know is a 422."""
    if not search.wards:
        return search
    from dataclasses import replace

    from reportit.places.areas import area_names

    known = {name.lower(): name for name in await area_names("ward")}
    unknown = [w for w in search.wards if w.lower() not in known]
    if unknown:
        listed = ", ".join(sorted(known.values())) if known else "none yet (no wards have been imported)"
        raise invalid([FieldError("ward", f"‘{unknown[0][:60]}’ is not a ward we know; the wards are: {listed}.")],
                      "Please check the search")
    return replace(search, wards=tuple(dict.fromkeys(known[w.lower()] for w in search.wards)))


def _numbers(raw: str | None, count: int, name: str, message: str, errors: list[FieldError]):
    if raw is None or raw == "":
        return None
    try:
        values = tuple(float(x) for x in raw.split(","))
    except ValueError:
        values = ()
    if len(values) != count or not all(math.isfinite(v) for v in values):
        errors.append(FieldError(name, message))
        return None
    return values


def _whole(raw: str | None, default: int, low: int, high: int, name: str, message: str, errors: list[FieldError]) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        errors.append(FieldError(name, message))
        return default
    return value


def _listed(raw: str | None, name: str, known: dict[str, str], errors: list[FieldError]) -> tuple[str, ...]:
    chosen = []
    for item in (raw or "").split(","):
        key = item.strip().lower().replace("-", " ").replace("_", " ")
        if not key:
            continue
        if key not in known:
            names = ", ".join(sorted({v.replace("_", " ") for v in known.values()}))
            errors.append(FieldError(name, f"‘{item.strip()[:40]}’ is not a {name} we know; use one of: {names}."))
            continue
        chosen.append(known[key])
    return tuple(dict.fromkeys(chosen))


async def _page(request: Request) -> tuple[list[dict[str, Any]], int, Search]:
    search = await known_wards(parse_search(request.query_params))
    rows, total = await find(search)
    settings = services(request).settings
    rules = settings.catalogue.applications
    today = today_in(rules)
    counted = await counts_for([row["id"] for row in rows])
    items = [{**application_json(row, rules, today, settings.config.base_url),
              **({"distance_m": row["distance_m"]} if "distance_m" in row else {}),
              "representations": counted[row["id"]]} for row in rows]
    return items, total, search


def _next(request: Request, search: Search, total: int) -> str | None:
    if search.offset + search.limit >= total:
        return None
    params = dict(request.query_params) | {"offset": str(search.offset + search.limit)}
    return f"{request.url.path}?{urlencode(params)}"


async def list_applications(request: Request) -> Response:
    if "geo+json" in request.headers.get("accept", ""):
        return await list_geojson(request)
    items, total, search = await _page(request)
    rules = services(request).settings.catalogue.applications
    # The council's types, for a filter a resident chooses from rather than a code to be typed.
    types = [{"regime": t.regime, "code": t.code, "name": t.name} for t in rules.types]
    return JSONResponse({"applications": items, "total": total, "offset": search.offset, "limit": search.limit,
                         "next": _next(request, search, total), "types": types}, headers=OPEN)


async def list_geojson(request: Request) -> Response:
    items, total, search = await _page(request)
    return JSONResponse({"type": "FeatureCollection", "features": [feature(i) for i in items], "total": total,
                         "next": _next(request, search, total)}, media_type="application/geo+json", headers=OPEN)


async def one_application(request: Request) -> Response:
    reference = request.path_params["reference"].strip()
    row = await load(reference)
    if row is None:  # typed from a letter in another case: the application, under the council's reference
        stored = await stored_reference(reference)
        row = await load(stored) if stored is not None else None
    if row is None:
        raise Problem(404, "No such application", f"We have no application with the reference {reference[:100]}. "
                      "Check it against the council's letter or site notice.")
    settings = services(request).settings
    rules = settings.catalogue.applications
    today = today_in(rules)
    body = application_json(row, rules, today, settings.config.base_url)
    body["history"] = [version_json(v, today) for v in await history(row["id"])]
    body["representations"] = await counts(row["id"])  # published ones, by sentiment
    if request.query_params.get("format") == "geojson" or "geo+json" in request.headers.get("accept", ""):
        return JSONResponse(feature(body), media_type="application/geo+json", headers=OPEN)
    return JSONResponse(body, headers=OPEN)


_QUERY = [
    {"name": "near", "in": "query", "schema": {"type": "string"}, "description": "latitude,longitude; nearest first"},
    {"name": "radius", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_RADIUS_M, "default": 500},
     "description": "metres around `near`"},
    {"name": "bbox", "in": "query", "schema": {"type": "string"}, "description": "south,west,north,east (instead of near)"},
    {"name": "regime", "in": "query", "schema": {"type": "string"}, "description": "planning, licensing (comma list)"},
    {"name": "status", "in": "query", "schema": {"type": "string"},
     "description": "received, validated, under consultation, decided, withdrawn, appealed (comma list)"},
    {"name": "type", "in": "query", "schema": {"type": "string"}, "description": "application type codes (comma list)"},
    {"name": "ward", "in": "query", "schema": {"type": "string"}, "description": "ward names (comma list)"},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
]
_PROBLEMS = {"description": "A problem the caller can put right (RFC 9457)",
             "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
OPENAPI_PATHS = {
    "/api/applications": {"get": {
        "summary": "Planning and licensing applications near a point or in a box, filtered and paged",
        "parameters": _QUERY,
        "responses": {"200": {"description": "`{applications, total, offset, limit, next}`; each application has "
                                             "one `deadline` in words"}, "422": _PROBLEMS}}},
    "/api/applications.geojson": {"get": {
        "summary": "The same, as a GeoJSON FeatureCollection", "parameters": _QUERY,
        "responses": {"200": {"description": "FeatureCollection", "content": {"application/geo+json": {}}},
                      "422": _PROBLEMS}}},
    "/api/applications/{reference}": {"get": {
        "summary": "One application with its history (every version); `?format=geojson` for a Feature",
        "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": "the council's reference; it may contain slashes"}],
        "responses": {"200": {"description": "The application"}, "404": _PROBLEMS}}},
}

routes = [
    Route("/api/applications", list_applications, methods=["GET"]),
    Route("/api/applications.geojson", list_geojson, methods=["GET"]),
    Route("/api/applications/{reference:path}", one_application, methods=["GET"]),
]
