"""The page for browsers without the app (/find): find a report or an application by its reference.
"/" is the app."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from reportit.app_state import services
from reportit.applications.present import page_path, stored_reference
from reportit.reports.references import normalise


async def start(request: Request) -> Response:
    return services(request).templates.TemplateResponse(request, "home.html", {})


async def find(request: Request) -> Response:
    asked = request.query_params.get("reference", "").strip()
    # An application first: a council's reference may look like a report's ("PA245678"). A report
    # reference is then sent to its page whether or not it exists (the page says), so this answer
    # never tells anyone that a private report's reference is in use.
    application = await stored_reference(asked)
    if application is not None:
        return RedirectResponse(page_path(application), status_code=303)
    reference = normalise(asked)
    if reference is not None:
        return RedirectResponse(f"/r/{reference}", status_code=303)
    error = (f"We have no report or application with the reference {asked[:100]}. Check it against the "
             "council's email, letter or notice." if asked else "Enter the reference of a report or an application.")
    return services(request).templates.TemplateResponse(
        request, "home.html", {"asked": asked[:100], "error": error}, status_code=400)


async def favicon(request: Request) -> Response:
    # Browsers ask for /favicon.ico whatever the page says; answer with the app's icon.
    return RedirectResponse("/app/icons/icon-192.png", status_code=301)


routes = [
    Route("/favicon.ico", favicon, methods=["GET"]),
    Route("/find", start, methods=["GET"]),
    Route("/r", find, methods=["GET"]),
]
