"""Push API for the resident app, and the unsubscribe page emails link to."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reportit.accounts.identity import device_from_request
from reportit.contact import EMAIL_MESSAGE, valid_email
from reportit.json_body import read_json
from reportit.problems import FieldError, Problem, invalid
from reportit.push import confirmation, follows, subscriptions
from reportit.push.vapid import VapidKeys
from reportit.reports.access import viewer
from reportit.reports.references import normalise, spoken
from reportit.reports.tables import Report
from reportit.reports.visibility import columns
from reportit.routing import by_method
from reportit.app_state import services

MAX_BODY = 8 * 1024
REPORT_NOT_FOUND = Problem(
    404, "Report not found",
    "We can't find a report with that reference. Check it and try again: references have 8 letters and numbers.",
)


def vapid_keys(request: Request) -> VapidKeys:
    """The keys as they are now: after `reportit vapid --rotate`, apps subscribe with the new one."""
    return services(request).vapid_keyring.current()


async def public_key(request: Request) -> JSONResponse:
    return JSONResponse({"public_key": vapid_keys(request).application_server_key},
                        headers={"Cache-Control": "no-cache"})


async def _json_body(request: Request) -> Any:
    return await read_json(request, "Send the subscription as JSON, as PushSubscription.toJSON() gives it.",
                           max_bytes=MAX_BODY)


async def put_subscription(request: Request) -> JSONResponse:
    device = await device_from_request(request)
    assert device is not None
    new = subscriptions.parse(await _json_body(request), services(request).settings)
    created = await subscriptions.save(device.id, new)
    return JSONResponse({"endpoint": new.endpoint, "subscribed": True}, status_code=201 if created else 200)


async def delete_subscription(request: Request) -> Response:
    device = await device_from_request(request)
    assert device is not None
    body = await _json_body(request)
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        raise Problem(422, "Which subscription?", "Send the endpoint of the subscription to remove.")
    await subscriptions.remove(device.id, endpoint)
    return Response(status_code=204)


async def follow_report(request: Request) -> Response:
    device = await device_from_request(request)
    assert device is not None
    reference = normalise(request.path_params["reference"])
    report = await Report.select(Report.id, Report.device, Report.account, Report.staff_user, *columns()).where(
        Report.reference == reference).first() if reference else None
    # Private and hidden reports exist only for their reporter (any phone of their account) and
    # staff: others get the same 404 as a typo. The one rule, from reports.access.
    asking = await viewer(request)
    if report is None or not asking.can_see(report):
        raise REPORT_NOT_FOUND
    if request.method == "DELETE":
        await follows.unfollow(report["id"], device.id)
        return Response(status_code=204)
    body = await _json_body(request)
    email = body.get("email") if isinstance(body, dict) else None
    if email is not None:
        email = str(email).strip()
        if not valid_email(email):
            raise invalid([FieldError("email", EMAIL_MESSAGE)], title="Check your email address")
    # The reporter turning updates back on (from any of their phones) follows as the reporter, so a
    # private report keeps telling them.
    followed = await follows.follow(report["id"], device.id, email or None,
                                    reporter=asking.is_reporters_device(report))
    answer = {"reference": reference, "following": True, "email": bool(email)}
    if email:
        if not followed.email_confirmed:
            await services(request).confirmation_limits.check(device.id, email)
            await confirmation.send(services(request).settings, services(request).secret_key, followed.follow_id,
                                    reference, email)
        answer |= {"email_confirmed": followed.email_confirmed, "confirmation_sent": not followed.email_confirmed}
    return JSONResponse(answer, status_code=201 if followed.created else 200)


async def unsubscribe(request: Request) -> Response:
    secret_key = services(request).secret_key
    token = request.path_params["token"]
    templates = services(request).templates
    # GET only asks: link scanners in mail systems follow links, and must not unsubscribe anyone.
    if request.method == "POST":
        row = await follows.unsubscribe_email(secret_key, token)
        state = "done" if row else "invalid"
    else:
        row = await follows.email_follow(secret_key, token)
        state = "confirm" if row else "invalid"
    context = {"state": state, "reference": spoken(row["reference"]) if row else "", "token": token}
    return templates.TemplateResponse(request, "unsubscribe.html", context,
                                      status_code=404 if state == "invalid" else 200,
                                      headers={"Cache-Control": "no-store"})


async def confirm_email(request: Request) -> Response:
    secret_key = services(request).secret_key
    token = request.path_params["token"]
    # GET only asks: mail scanners fetch links, and must not confirm for the recipient.
    if request.method == "POST":
        row = await confirmation.confirm(secret_key, token)
        state = "done" if row else "invalid"
    else:
        row = await confirmation.follow_for(secret_key, token)
        state = ("done" if row["email_confirmed"] else "confirm") if row else "invalid"
    context = {"state": state, "reference": spoken(row["reference"]) if row else "",
               "email": row["email"] if row else "", "token": token}
    return services(request).templates.TemplateResponse(request, "confirm_email.html", context,
                                                        status_code=404 if state == "invalid" else 200,
                                                        headers={"Cache-Control": "no-store"})


routes = [
    Route("/api/push/public-key", public_key, methods=["GET"]),
    by_method("/api/me/push-subscription", PUT=put_subscription, DELETE=delete_subscription),
    Route("/api/reports/{reference}/follow", follow_report, methods=["POST", "DELETE"]),
    Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"]),
    Route("/confirm-email/{token}", confirm_email, methods=["GET", "POST"]),
]

_PROBLEM = {"description": "A problem the caller can put right (RFC 9457).",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_FOLLOWING = {"application/json": {"schema": {
    "type": "object", "required": ["reference", "following", "email"],
    "properties": {"reference": {"type": "string"}, "following": {"type": "boolean"}, "email": {"type": "boolean"},
                   "email_confirmed": {"type": "boolean", "description": "With an email: updates go to it already"},
                   "confirmation_sent": {"type": "boolean",
                                         "description": "With an email: we sent a link that confirms it"}}}}}
_REFERENCE = [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}]

OPENAPI_SCHEMAS = {
    "PushSubscription": {
        "type": "object",
        "description": "PushSubscription.toJSON(). The endpoint must be https on a known push service.",
        "required": ["endpoint", "keys"],
        "properties": {
            "endpoint": {"type": "string", "format": "uri", "maxLength": 1024},
            "expirationTime": {"type": ["number", "null"]},
            "keys": {"type": "object", "required": ["p256dh", "auth"], "properties": {
                "p256dh": {"type": "string", "description": "base64url P-256 point, 65 bytes"},
                "auth": {"type": "string", "description": "base64url, 16 bytes"}}},
        },
    },
}

OPENAPI_PATHS = {
    "/api/push/public-key": {"get": {
        "summary": "The VAPID application server key for PushManager.subscribe()",
        "responses": {"200": {"description": "base64url, uncompressed P-256 point", "content": {"application/json": {
            "schema": {"type": "object", "required": ["public_key"],
                       "properties": {"public_key": {"type": "string"}}}}}}},
    }},
    "/api/me/push-subscription": {
        "put": {
            "summary": "Tell the server where to push this device's notifications",
            "security": [{"device": []}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/PushSubscription"}}}},
            "responses": {"201": {"description": "Stored"}, "200": {"description": "Updated"},
                          "400": _PROBLEM, "401": _PROBLEM, "413": _PROBLEM, "422": _PROBLEM},
        },
        "delete": {
            "summary": "Stop pushing to this subscription",
            "security": [{"device": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["endpoint"], "properties": {"endpoint": {"type": "string"}}}}}},
            "responses": {"204": {"description": "Removed (or was not there)"}, "400": _PROBLEM, "401": _PROBLEM,
                          "413": _PROBLEM, "422": _PROBLEM},
        },
    },
    "/api/reports/{reference}/follow": {
        "post": {
            "summary": "Get this report's status updates on this device (private reports: only their reporter)",
            "security": [{"device": []}], "parameters": _REFERENCE,
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"email": {
                    "type": "string", "format": "email",
                    "description": "Email updates when this device has no working push subscription, once the "
                                   "address is confirmed from the email we send"}}}}}},
            "responses": {"201": {"description": "Now following", "content": _FOLLOWING},
                          "200": {"description": "Already following", "content": _FOLLOWING},
                          "400": _PROBLEM, "401": _PROBLEM, "404": _PROBLEM, "413": _PROBLEM, "422": _PROBLEM,
                          "429": _PROBLEM, "503": _PROBLEM},
        },
        "delete": {
            "summary": "Stop this report's updates on this device",
            "security": [{"device": []}], "parameters": _REFERENCE,
            "responses": {"204": {"description": "Not following any more"}, "401": _PROBLEM, "404": _PROBLEM},
        },
    },
}
