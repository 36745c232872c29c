"""The OpenAPI description of My Account (me_api.py): the contract the app and other clients rely on."""

from __future__ import annotations

_PROBLEM = {"description": "A problem the caller can put right (RFC 9457), with per-field messages.",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_DEVICE = [{"device": []}]
_ME = {"description": "This device, and its account when signed in",
       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}}
_CODE_SENT = {"description": "A code is on its way (the same answer whether or not the address has an account)",
              "content": {"application/json": {"schema": {
                  "type": "object", "required": ["email", "expires_in"],
                  "properties": {"email": {"type": "string", "description": "The address, in lower case"},
                                 "expires_in": {"type": "integer", "description": "Seconds the code lasts (600)"}}}}}}
_EMAIL = {"type": "string", "format": "email", "maxLength": 254}
_CODE = {"type": "string", "pattern": "^[0-9]{6}$", "description": "The 6 digits from the email (spaces and dashes "
                                                                   "are ignored)"}


def _json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


OPENAPI_SCHEMAS = {
    "Place": {
        "type": "object", "required": ["label", "latitude", "longitude"],
        "properties": {
            "label": {"type": "string", "maxLength": 40, "description": "Home, Work…"},
            "address": {"type": "string", "maxLength": 500, "description": "The address in words"},
            "latitude": {"type": "number", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        },
    },
    "Account": {
        "type": "object", "required": ["email", "name", "phone", "places", "created_at"],
        "properties": {
            "email": {"type": "string", "format": "email"},
            "name": {"type": "string"},
            "phone": {"type": "string"},
            "places": {"type": "array", "items": {"$ref": "#/components/schemas/Place"}},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "Me": {
        "type": "object", "required": ["device", "account"],
        "properties": {
            "device": {"type": "object", "required": ["id", "signed_in"], "properties": {
                "id": {"type": "string", "format": "uuid"}, "signed_in": {"type": "boolean"}}},
            "account": {"oneOf": [{"$ref": "#/components/schemas/Account"}, {"type": "null"}]},
        },
    },
    "SignedInDevice": {
        "type": "object", "required": ["id", "browser", "first_seen", "last_seen", "this_device"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "browser": {"type": "string", "description": "e.g. Chrome on Android"},
            "user_agent": {"type": "string"},
            "first_seen": {"type": "string", "format": "date-time"},
            "last_seen": {"type": "string", "format": "date-time"},
            "signed_in_at": {"type": ["string", "null"], "format": "date-time"},
            "this_device": {"type": "boolean"},
        },
    },
    "MyData": {
        "type": "object",
        "required": ["exported_at", "account", "saved_places", "devices", "reports", "follows", "notifications",
                     "push_subscriptions", "account_history"],
        "properties": {
            "exported_at": {"type": "string", "format": "date-time"},
            "service": {"type": "string"},
            "account": {"type": "object"},
            "saved_places": {"type": "array", "items": {"$ref": "#/components/schemas/Place"}},
            "devices": {"type": "array", "items": {"type": "object"}},
            "reports": {"type": "array", "items": {"$ref": "#/components/schemas/Report"},
                        "description": "With the reporter's contact details and absolute photo links"},
            "follows": {"type": "array", "items": {"type": "object"}},
            "notifications": {"type": "array", "items": {"type": "object"}},
            "push_subscriptions": {"type": "array", "items": {"type": "object"}},
            "account_history": {"type": "array", "items": {"type": "object"}},
        },
    },
}

OPENAPI_PATHS = {
    "/api/me": {
        "get": {"summary": "This device and, when signed in, its account (account is null otherwise)",
                "security": _DEVICE, "responses": {"200": _ME, "401": _PROBLEM}},
        "patch": {
            "summary": "Change the profile: name, phone, saved places (only the fields sent change; places are "
                       "replaced as a whole). The email changes through POST /api/me/email.",
            "security": _DEVICE,
            "requestBody": _json_body({"type": "object", "properties": {
                "name": {"type": "string", "maxLength": 200}, "phone": {"type": "string", "maxLength": 40},
                "places": {"type": "array", "maxItems": 5, "items": {"$ref": "#/components/schemas/Place"}}}}),
            "responses": {"200": _ME, "400": _PROBLEM, "401": _PROBLEM, "403": _PROBLEM, "422": _PROBLEM},
        },
        "delete": {
            "summary": "Delete my account. Reports stay as the public record, with contact details and device links "
                       "removed and private reports' photos deleted; the devices are signed out.",
            "security": _DEVICE,
            "requestBody": _json_body({"type": "object", "required": ["confirm"], "properties": {
                "confirm": {"type": "string", "const": "delete my account"}}}),
            "responses": {"200": {"description": "Erased", "content": {"application/json": {"schema": {
                "type": "object", "required": ["erased", "deleted", "kept"], "properties": {
                    "erased": {"type": "boolean"},
                    "deleted": {"type": "array", "items": {"type": "string"}},
                    "kept": {"type": "array", "items": {"type": "string"}}}}}}},
                "400": _PROBLEM, "401": _PROBLEM, "403": _PROBLEM, "422": _PROBLEM},
        },
    },
    "/api/me/sign-in": {"post": {
        "summary": "Email a 6-digit sign-in code and a one-tap link (lasts 10 minutes, 5 tries, only on this device)",
        "security": _DEVICE,
        "requestBody": _json_body({"type": "object", "required": ["email"], "properties": {"email": _EMAIL}}),
        "responses": {"202": _CODE_SENT, "400": _PROBLEM, "401": _PROBLEM, "422": _PROBLEM,
                      "429": {**_PROBLEM, "description": "Too many codes for this address or from this client; "
                                                         "see Retry-After"}},
    }},
    "/api/me/sign-in/verify": {"post": {
        "summary": "Check the code; this device joins the account (made on first sign-in) and its reports, follows "
                   "and push subscriptions become the account's",
        "security": _DEVICE,
        "requestBody": _json_body({"type": "object", "required": ["email", "code"],
                                   "properties": {"email": _EMAIL, "code": _CODE}}),
        "responses": {"200": _ME, "400": _PROBLEM, "401": _PROBLEM,
                      "403": {**_PROBLEM, "description": "The code was asked for on another device"},
                      "422": {**_PROBLEM, "description": "Wrong, expired or used code, too many tries, or no code "
                                                         "asked for this address"}},
    }},
    "/api/me/sign-out": {"post": {
        "summary": "Sign this device out (or, with everywhere, every device of the account); what the app has "
                   "not sent stays on the phone",
        "security": _DEVICE,
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"everywhere": {"type": "boolean", "default": False}}}}}},
        "responses": {"204": {"description": "Signed out (or was not signed in)"}, "401": _PROBLEM},
    }},
    "/api/me/email": {"post": {
        "summary": "Change the account's email: a code goes to the new address",
        "security": _DEVICE,
        "requestBody": _json_body({"type": "object", "required": ["email"], "properties": {"email": _EMAIL}}),
        "responses": {"202": _CODE_SENT, "400": _PROBLEM, "401": _PROBLEM, "403": _PROBLEM, "422": _PROBLEM,
                      "429": _PROBLEM},
    }},
    "/api/me/email/verify": {"post": {
        "summary": "Confirm the new email address with the code sent to it",
        "security": _DEVICE,
        "requestBody": _json_body({"type": "object", "required": ["email", "code"],
                                   "properties": {"email": _EMAIL, "code": _CODE}}),
        "responses": {"200": _ME, "400": _PROBLEM, "401": _PROBLEM, "403": _PROBLEM,
                      "409": {**_PROBLEM, "description": "Another account uses that address"}, "422": _PROBLEM},
    }},
    "/api/me/devices": {"get": {
        "summary": "The devices signed in to this account", "security": _DEVICE,
        "responses": {"200": {"description": "Signed-in devices, oldest sign-in first", "content": {
            "application/json": {"schema": {"type": "object", "required": ["devices"], "properties": {
                "devices": {"type": "array", "items": {"$ref": "#/components/schemas/SignedInDevice"}}}}}}},
            "401": _PROBLEM, "403": _PROBLEM},
    }},
    "/api/me/devices/{id}": {"delete": {
        "summary": "Sign one device out of this account", "security": _DEVICE,
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}],
        "responses": {"204": {"description": "Signed out"}, "401": _PROBLEM, "403": _PROBLEM, "404": _PROBLEM},
    }},
    "/api/me/export": {"get": {
        "summary": "Download my data: a JSON file (Content-Disposition: attachment), or with format=html a "
                   "readable page",
        "security": _DEVICE,
        "parameters": [{"name": "format", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": ["json", "html"], "default": "json"}}],
        "responses": {"200": {"description": "Everything held about the account", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/MyData"}},
            "text/html": {"schema": {"type": "string"}}}},
            "401": _PROBLEM, "403": _PROBLEM},
    }},
}
