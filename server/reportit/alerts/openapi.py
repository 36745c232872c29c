"""The OpenAPI description of alerts (api.py)."""

from __future__ import annotations

_PROBLEM = {"description": "A problem the caller can put right (RFC 9457), with per-field messages.",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_DEVICE = [{"device": []}]
_KINDS = {"type": "array", "items": {"type": "string", "enum": ["planning", "licensing", "changes", "problems"]},
          "description": "new planning applications, new licensing applications, changes to applications "
                         "(the followed one, or those in the area), new reported problems"}
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_ALERT = {"description": "The alert", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Alert"}}}}


def _json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


OPENAPI_SCHEMAS = {
    "AlertInput": {
        "type": "object",
        "description": "A place and radius (or a ward) with what to hear about, or one application to follow by "
                       "reference.",
        "properties": {
            "label": {"type": "string", "maxLength": 80, "description": "Home, Work…"},
            "latitude": {"type": "number", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
            "radius": {"type": "integer", "minimum": 100, "maximum": 2000, "description": "Metres"},
            "application": {"type": "string", "maxLength": 40, "description": "Follow this application"},
            "ward": {"type": ["string", "integer"], "description": "A ward (its name, any case, or its area id) "
                                                                  "instead of a place and radius"},
            "kinds": _KINDS,
            "categories": {"type": "array", "items": {"type": "string"},
                           "description": "Category codes for problems; empty: every public category"},
            "email": {"type": "string", "enum": ["immediate", "daily", "none"],
                      "description": "When no phone takes pushes: each by email, a daily digest, or never"},
        },
    },
    "Alert": {
        "type": "object",
        "required": ["id", "label", "latitude", "longitude", "radius", "application", "kinds", "categories",
                     "email", "created_at", "updated_at"],
        "properties": {
            "id": {"type": "integer"}, "label": {"type": "string"},
            "latitude": {"type": ["number", "null"]}, "longitude": {"type": ["number", "null"]},
            "radius": {"type": ["integer", "null"]},
            "ward": {"type": ["string", "null"], "description": "The ward, for an alert for a ward"},
            "application": {"type": "string"}, "kinds": _KINDS,
            "categories": {"type": "array", "items": {"type": "string"}},
            "email": {"type": "string", "enum": ["immediate", "daily", "none"]},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
}

OPENAPI_PATHS = {
    "/api/me/alerts": {
        "get": {"summary": "This resident's alerts (the account's, from every phone, when signed in), and the "
                           "address alert emails go to (null when not signed in)",
                "security": _DEVICE, "responses": {"200": {"description": "Alerts", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["alerts", "email"], "properties": {
                        "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}},
                        "email": {"type": ["string", "null"]}}}}}}, "401": _PROBLEM}},
        "post": {"summary": "Save an alert", "security": _DEVICE,
                 "requestBody": _json_body({"$ref": "#/components/schemas/AlertInput"}),
                 "responses": {"201": _ALERT, "400": _PROBLEM, "401": _PROBLEM, "409": _PROBLEM, "422": _PROBLEM}},
    },
    "/api/me/alerts/estimate": {"get": {
        "summary": "How many items an alert would have brought a week, over the last 90 days",
        "security": _DEVICE,
        "parameters": [
            {"name": "latitude", "in": "query", "schema": {"type": "number"}, "description": "With longitude and radius"},
            {"name": "longitude", "in": "query", "schema": {"type": "number"}},
            {"name": "radius", "in": "query", "schema": {"type": "integer"}},
            {"name": "ward", "in": "query", "schema": {"type": "string"}, "description": "Instead of a place and radius"},
            {"name": "kinds", "in": "query", "required": True, "schema": {"type": "string"},
             "description": "Comma list: planning,licensing,changes,problems"},
            {"name": "categories", "in": "query", "schema": {"type": "string"}, "description": "Comma list"},
        ],
        "responses": {"200": {"description": "The estimate", "content": {"application/json": {"schema": {
            "type": "object", "required": ["per_week", "days", "counts", "text"], "properties": {
                "per_week": {"type": "number"}, "days": {"type": "integer"},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "text": {"type": "string", "description": "How many in words, over `days`: nothing, less than one "
                                                          "a month, about 2 a month, about 3 a week"}}}}}},
            "401": _PROBLEM, "422": _PROBLEM},
    }},
    "/api/me/alerts/{id}": {
        "put": {"summary": "Change an alert (the whole alert is sent)", "security": _DEVICE, "parameters": _ID,
                "requestBody": _json_body({"$ref": "#/components/schemas/AlertInput"}),
                "responses": {"200": _ALERT, "400": _PROBLEM, "401": _PROBLEM, "404": _PROBLEM, "422": _PROBLEM}},
        "delete": {"summary": "Delete an alert (what it queued is not sent)", "security": _DEVICE, "parameters": _ID,
                   "responses": {"204": {"description": "Deleted"}, "401": _PROBLEM, "404": _PROBLEM}},
    },
}
