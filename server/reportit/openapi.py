"""/api/openapi.json: each API module describes its own paths; this merges them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reportit.accounts import api as accounts_api
from reportit.accounts import me_openapi, session_api
from reportit.alerts import openapi as alerts_openapi
from reportit.applications import api as applications_api
from reportit.applications import representations_api
from reportit.push import api as push_api
from reportit.push import follows_api
from reportit.places import api as places_api
from reportit.reports import api as reports_api
from reportit.reports import resumable
from reportit.app_state import services

PROBLEM = {
    "description": "A problem the caller can put right (RFC 9457).",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}

COMPONENTS = {
    "schemas": {
        "Problem": {
            "type": "object",
            "required": ["title", "status"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        },
    },
    "securitySchemes": {
        "device": {"type": "http", "scheme": "bearer", "description": "The token from POST /api/devices."},
    },
}

MODULES = [accounts_api, session_api, me_openapi, reports_api, resumable, push_api, follows_api, alerts_openapi,
           places_api, applications_api, representations_api]


def spec(request: Request) -> dict:
    paths: dict = {}
    schemas = dict(COMPONENTS["schemas"])
    for module_paths, module_schemas in [
        *((m.OPENAPI_PATHS, getattr(m, "OPENAPI_SCHEMAS", {})) for m in MODULES),
        (OPENAPI_PATHS, {}),
    ]:
        for path, operations in module_paths.items():
            paths.setdefault(path, {}).update(operations)
        schemas.update(module_schemas)
    settings = services(request).settings
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{settings.catalogue.council.short_name} – {settings.catalogue.council.name}",
            "version": "1",
            "description": "The JSON API of the Report It service, used by the resident app.",
        },
        "paths": paths,
        "components": {**COMPONENTS, "schemas": schemas},
    }


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(spec(request))


OPENAPI_PATHS = {
    "/api/openapi.json": {
        "get": {"summary": "This description", "responses": {"200": {"description": "OpenAPI 3.1 document"}}}
    }
}

routes = [Route("/api/openapi.json", openapi_json, methods=["GET"])]
