"""/healthz for a load balancer: can this worker reach the database and the photo store now?

200 {"database": "ok", "storage": "ok"}, or 503 with "down" against what is not reachable, so a
balancer stops sending residents' uploads to a worker that would refuse them."""

from __future__ import annotations

import logging

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reportit.app_state import services

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 5.0  # seconds each check may take before it counts as down


async def _database(request: Request) -> None:
    await services(request).engine.run_ddl("SELECT 1")


async def _storage(request: Request) -> None:
    await services(request).photo_store.check()


async def healthz(request: Request) -> Response:
    status: dict[str, str] = {}
    for name, check in (("database", _database), ("storage", _storage)):
        try:
            with anyio.fail_after(CHECK_TIMEOUT):
                await check(request)
            status[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "down" to the balancer
            log.warning("event=health_check_failed part=%s error=%s", name, type(exc).__name__)
            status[name] = "down"
    healthy = all(value == "ok" for value in status.values())
    return JSONResponse(status, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"})


routes = [Route("/healthz", healthz, methods=["GET"])]
