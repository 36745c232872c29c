"""Who may do what in the console, and the page helpers every console handler shares."""

from __future__ import annotations

from functools import wraps
from typing import Awaitable, Callable
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reportit.accounts.identity import StaffMember, staff_from_request
from reportit.app_state import services

# Wardens file reports and see their own; officers work every case; admins also manage staff.
EVERYONE = ("warden", "officer", "admin")
CASEWORK = ("officer", "admin")
ADMIN = ("admin",)

Handler = Callable[[Request, StaffMember], Awaitable[Response]]


def render(request: Request, template: str, context: dict | None = None, *, status_code: int = 200,
           staff: StaffMember | None = None) -> Response:
    """A console page; `no-store` because every page shows case data that must not sit in caches."""
    values = {
        "staff": staff,
        "csrf_token": request.scope.get("csrftoken", ""),
        "csrf_field": request.scope.get("csrf_cookie_name", "csrftoken"),
        "path": request.url.path,
        **(context or {}),
    }
    return services(request).templates.TemplateResponse(
        request, template, values, status_code=status_code, headers={"Cache-Control": "no-store"}
    )


def error_page(request: Request, status_code: int, title: str, detail: str,
               staff: StaffMember | None = None) -> Response:
    return render(request, "console_error.html", {"title": title, "detail": detail},
                  status_code=status_code, staff=staff)


def sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/sign-in?next={quote(target, safe='')}", status_code=303)


def staff_only(*roles: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler so it runs only for signed-in staff with one of `roles`."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            staff = await staff_from_request(request)
            if staff is None:
                return sign_in_redirect(request)
            if staff.role not in roles:
                return error_page(request, 403, "You cannot do this",
                                  "Your role does not allow this. Ask a console administrator if you need it.", staff)
            return await handler(request, staff)

        return endpoint

    return wrap


async def form_of(request: Request) -> FormData:
    """The posted form. The CSRF middleware may have read the body already and left it in the scope."""
    form = request.scope.get("form")
    form = form if isinstance(form, FormData) else await request.form()
    # PostgreSQL cannot store a NUL character in text (it was a 500); nobody types one.
    for name, value in form.multi_items():
        if isinstance(value, str) and "\x00" in name + value:
            raise HTTPException(400, f"The ‘{name.replace(chr(0), '')}’ field has a hidden control character we "
                                     "can't store. Type it again.")
    return form
