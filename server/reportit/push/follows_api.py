"""GET /api/me/follows: the reports this device follows, and (signed in) every device of its account
follows, so a second phone shows the same follows as the first."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reportit.accounts.identity import device_from_request
from reportit.accounts.residents import sibling_device_ids
from reportit.push.tables import Follow


async def my_follows(request: Request) -> JSONResponse:
    device = await device_from_request(request)
    assert device is not None
    rows = await (Follow.select(Follow.report.reference.as_alias("reference"), Follow.email, Follow.reporter)
                  .where(Follow.device.is_in(await sibling_device_ids(device.id))).order_by(Follow.id))
    follows: dict[str, dict] = {}
    for row in rows:
        seen = follows.setdefault(row["reference"], {"reference": row["reference"], "reporter": False,
                                                     "email_updates": False})
        seen["reporter"] = seen["reporter"] or row["reporter"]
        seen["email_updates"] = seen["email_updates"] or bool(row["email"])
    return JSONResponse({"follows": list(follows.values())}, headers={"Cache-Control": "no-store"})


routes = [Route("/api/me/follows", my_follows, methods=["GET"])]

OPENAPI_PATHS = {
    "/api/me/follows": {"get": {
        "summary": "Reports this device follows, or (signed in) any device of the account follows",
        "security": [{"device": []}],
        "responses": {
            "200": {"description": "One entry per report", "content": {"application/json": {"schema": {
                "type": "object", "required": ["follows"], "properties": {"follows": {"type": "array", "items": {
                    "type": "object", "required": ["reference", "reporter", "email_updates"], "properties": {
                        "reference": {"type": "string"}, "reporter": {"type": "boolean"},
                        "email_updates": {"type": "boolean"}}}}}}}}},
            "401": {"description": "A problem (RFC 9457)", "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}},
        },
    }},
}
