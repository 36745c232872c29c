"""The page for browsers without the app (/find): find a report by its reference. "/" is the app."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from reportit.reports.references import normalise
from reportit.app_state import services


async def start(request: Request) -> Response:
    return services(request).templates.TemplateResponse(request, "home.html", {})


async def find(request: Request) -> Response:
    asked = request.query_params.get("reference", "").strip()
    reference = normalise(asked)
    if reference is None:
        return services(request).templates.TemplateResponse(
            request, "home.html", {"asked": asked[:20], "error": "Enter a reference with 8 letters and numbers, like K7QM-4XRT."},
            status_code=400,
        )
    return RedirectResponse(f"/r/{reference}", status_code=303)


async def favicon(request: Request) -> Response:
    # Browsers ask for /favicon.ico whatever the page says; answer with the app's icon.
    return RedirectResponse("/app/icons/icon-192.png", status_code=301)


routes = [
    Route("/favicon.ico", favicon, methods=["GET"]),
    Route("/find", start, methods=["GET"]),
    Route("/r", find, methods=["GET"]),
]
