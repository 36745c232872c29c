"""The app's places API: the street list to keep on the phone, a point in words, and open reports
nearby ("Is it one of these?")."""

from __future__ import annotations

import gzip
import math

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reportit.app_state import services
from reportit.places import street_list
from reportit.places.naming import describe
from reportit.places.nearby import nearby_reports
from reportit.problems import FieldError, invalid
from reportit.settings import Settings

DEFAULT_RADIUS = 50.0
MAX_RADIUS = 1000.0
TITLE = "Please check the place"


async def streets(request: Request) -> Response:
    """The street list, gzip'd once per change of the streets or wards, with an ETag, so the
    service worker's copy is refreshed only when it changed."""
    key = await street_list.source_key()
    cached: street_list.StreetList | None = getattr(request.app.state, "street_list", None)
    if cached is None or cached.key != key:
        cached = await street_list.build(services(request).settings, key)
        request.app.state.street_list = cached
    etag = f'"{cached.version}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" not in request.headers.get("accept-encoding", ""):
        return Response(gzip.decompress(cached.gzipped), media_type="application/json", headers=headers)
    return Response(cached.gzipped, media_type="application/json", headers={**headers, "Content-Encoding": "gzip"})


async def place(request: Request) -> JSONResponse:
    """GET /api/places/describe?latitude=&longitude=[&category=]: the street and ward of a point, and
    the partner's signpost when the street is theirs for that kind of problem."""
    settings = services(request).settings
    latitude, longitude = _point(request, settings)
    category = _category(request, settings)
    found = await describe(latitude, longitude)
    body: dict = {
        "street": None if not found.street else {
            "usrn": found.usrn, "name": found.street, "authority": found.authority, "metres": found.metres},
        "ward": found.ward or None,
        "words": found.words,
        "partner": partner_signpost(settings, found.authority, found.street, category),
    }
    if not found.ward:
        body["message"] = (f"This place is not in any of {settings.catalogue.council.name}'s wards. "
                           "If it is in our area, describe it in words.")
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def nearby(request: Request) -> JSONResponse:
    """GET /api/reports/nearby?latitude=&longitude=[&radius=50][&category=]: open public reports."""
    settings = services(request).settings
    latitude, longitude = _point(request, settings)
    category = _category(request, settings)
    radius = _number(request, "radius", DEFAULT_RADIUS)
    if not 1 <= radius <= MAX_RADIUS:
        raise invalid([FieldError("radius", f"The radius must be between 1 and {int(MAX_RADIUS)} metres.")], title=TITLE)
    reports = await nearby_reports(settings, latitude, longitude, radius, category)
    return JSONResponse({"latitude": latitude, "longitude": longitude, "radius": radius, "reports": reports},
                        headers={"Cache-Control": "no-cache"})


def partner_signpost(settings: Settings, authority: str, street: str, category: str | None) -> dict | None:
    """The signpost of the partner that maintains this street, for this kind of problem."""
    if not authority or not category:
        return None
    group = settings.catalogue.category(category).group  # type: ignore[union-attr]
    for candidate in settings.catalogue.categories:
        s = candidate.signpost
        if s and authority.lower() in (a.lower() for a in s.street_authorities) and group in s.street_groups:
            return {"category": candidate.code, "partner": s.partner, "message": s.message, "phone": s.phone, "url": s.url,
                    "why": f"{street} is looked after by {s.partner}, not the council."}
    return None


def _number(request: Request, name: str, default: float | None = None) -> float:
    raw = request.query_params.get(name, "").strip()
    if not raw and default is not None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise invalid([FieldError(name, f"Give the {name} as a number, like 51.4975 or -0.1357.")], title=TITLE)
    return value


def _point(request: Request, settings: Settings) -> tuple[float, float]:
    latitude, longitude = _number(request, "latitude"), _number(request, "longitude")
    if not settings.catalogue.map.contains(latitude, longitude):
        raise invalid([FieldError("latitude", f"That place is outside the area {settings.catalogue.council.name} "
                                              "looks after.")], title=TITLE)
    return latitude, longitude


def _category(request: Request, settings: Settings) -> str | None:
    code = request.query_params.get("category", "").strip()
    if code and settings.catalogue.category(code) is None:
        raise invalid([FieldError("category", "We don't know that kind of problem. Choose one from the list.")], title=TITLE)
    return code or None


routes = [
    Route("/api/streets", streets, methods=["GET", "HEAD"]),
    Route("/api/places/describe", place, methods=["GET"]),
    Route("/api/reports/nearby", nearby, methods=["GET"]),
]

_PROBLEM = {"description": "A problem (RFC 9457)", "content": {"application/problem+json": {
    "schema": {"$ref": "#/components/schemas/Problem"}}}}
_POINT = [
    {"name": "latitude", "in": "query", "required": True, "schema": {"type": "number"}},
    {"name": "longitude", "in": "query", "required": True, "schema": {"type": "number"}},
    {"name": "category", "in": "query", "required": False, "schema": {"type": "string"}},
]
_OBJECT = {"type": "object"}

OPENAPI_PATHS = {
    "/api/streets": {"get": {
        "summary": "Every street (name, locality, simplified lines) and ward, gzip'd, for the app to keep offline",
        "responses": {"200": {"description": "The street list; its ETag changes when the streets or wards do",
                              "content": {"application/json": {"schema": {
                                  "type": "object", "required": ["version", "streets", "wards"], "properties": {
                                      "version": {"type": "string"}, "authorities": {"type": "array"},
                                      "streets": {"type": "array"}, "wards": {"type": "array"},
                                      "partners": {"type": "array"}}}}}},
                      "304": {"description": "Not changed since the copy named in If-None-Match"}},
    }},
    "/api/places/describe": {"get": {
        "summary": "A point in words: the nearest street, its ward, and the partner's signpost when the street is theirs",
        "parameters": _POINT,
        "responses": {"200": {"description": "The place", "content": {"application/json": {"schema": {
            "type": "object", "required": ["street", "ward", "words", "partner"], "properties": {
                "street": {"type": ["object", "null"]}, "ward": {"type": ["string", "null"]},
                "words": {"type": "string"}, "partner": {"type": ["object", "null"]},
                "message": {"type": "string"}}}}}},
                      "422": _PROBLEM},
    }},
    "/api/reports/nearby": {"get": {
        "summary": "Open public reports near a point (\"Is it one of these?\"), nearest first, with photos",
        "parameters": [*_POINT, {"name": "radius", "in": "query", "required": False,
                                 "schema": {"type": "number", "minimum": 1, "maximum": MAX_RADIUS, "default": DEFAULT_RADIUS}}],
        "responses": {"200": {"description": "The reports", "content": {"application/json": {"schema": {
            "type": "object", "required": ["reports"], "properties": {"reports": {"type": "array", "items": _OBJECT}}}}}},
                      "422": _PROBLEM},
    }},
}
