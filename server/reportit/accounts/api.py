"""Resident device registration: the app asks once and keeps the token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reportit.accounts.identity import create_device, set_device_cookie
from reportit.app_state import services
from reportit.limits import client_key


async def register_device(request: Request) -> JSONResponse:
    await services(request).device_limiter.check(client_key(request))
    device, token = await create_device()
    response = JSONResponse({"device_id": str(device.device_id), "token": token}, status_code=201)
    set_device_cookie(request, response, token)
    return response


routes = [Route("/api/devices", register_device, methods=["POST"])]

OPENAPI_PATHS = {
    "/api/devices": {
        "post": {
            "summary": "Register this installed app; keep the token and send it as a bearer token",
            "responses": {
                "201": {
                    "description": "The new device",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["device_id", "token"],
                        "properties": {"device_id": {"type": "string", "format": "uuid"}, "token": {"type": "string"}},
                    }}},
                },
                "429": {"description": "Too many registrations from this address just now; see Retry-After",
                        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            },
        }
    }
}
