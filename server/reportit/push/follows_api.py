"""GET /api/me/follows: the reports this device follows, and (signed in) every device of its account
follows, so a second phone shows the same follows as the first. A report's reporter follows count
only for its owner (`reports.owner`): a shared tablet signed in as someone else does not list the
first person's reports."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reportit.accounts.identity import device_from_request
from reportit.accounts.residents import device_ids_of_account
from reportit.push.tables import Follow
from reportit.reports.owner import owner_of_device


async def my_follows(request: Request) -> JSONResponse:
    device = await device_from_request(request)
    assert device is not None
    owner = await owner_of_device(device.id)
    devices = await device_ids_of_account(owner.account_id) if owner.account_id else [device.id]
    # Through the report, so it is asked once whether the reporter's follow is this person's.
    rows = await (Follow.select(Follow.report.reference.as_alias("reference"), Follow.email, Follow.reporter,
                                Follow.report.account, Follow.report.device)
                  .where(Follow.device.is_in(devices) | (Follow.reporter.eq(True) & owner.where(Follow.report)))
                  .order_by(Follow.id))
    follows: dict[str, dict] = {}
    for row in rows:
        if row["reporter"] and not owner.owns(row, prefix="report."):
            continue
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
