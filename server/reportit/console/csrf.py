"""piccolo_api's double-submit CSRF middleware for the console Mount, answering refusals with a page.

piccolo_api sets `csrftoken` in the scope only for requests it lets through, so an unsafe request
without it in the scope afterwards is one the middleware refused.
"""

from __future__ import annotations

from urllib.parse import urlparse

from piccolo_api.csrf.middleware import SAFE_HTTP_METHODS, CSRFMiddleware
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from reportit.settings import Settings


class ConsoleCSRF(CSRFMiddleware):
    async def dispatch(self, request: Request, call_next) -> Response:  # type: ignore[override]
        response = await super().dispatch(request, call_next)
        if request.method not in SAFE_HTTP_METHODS and "csrftoken" not in request.scope:
            from reportit.console.access import error_page

            return error_page(request, 403, "This form has expired",
                              "For your security we could not accept this form. Go back, reload the page and try again.")
        return response


def csrf_middleware(settings: Settings) -> Middleware:
    host = urlparse(settings.config.base_url).hostname or "127.0.0.1"
    return Middleware(ConsoleCSRF, allowed_hosts=[host], allow_form_param=True)
