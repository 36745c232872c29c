"""One route per path, whatever its methods: Starlette answers a method a path does not take with
the `Allow` of the first route on that path only, so a path split over several routes (PUT here,
DELETE there) would tell clients, and CORS preflights, that it takes fewer methods than it does."""

from __future__ import annotations

from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Endpoint = Callable[[Request], Awaitable[Response]]


def by_method(path: str, **endpoints: Endpoint) -> Route:
    """`by_method("/api/session", POST=sign_in, GET=who)`: one Route whose Allow names them all."""
    handlers = {method.upper(): endpoint for method, endpoint in endpoints.items()}
    if "GET" in handlers:
        handlers.setdefault("HEAD", handlers["GET"])

    async def dispatch(request: Request) -> Response:
        return await handlers[request.method](request)

    return Route(path, dispatch, methods=list(handlers), name=path)
