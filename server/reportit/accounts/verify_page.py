"""The one-tap link in the sign-in email: /account/verify?email=…&code=…

Opening the link only shows a button: mail scanners fetch links, and must not spend the code. The
button POSTs. A browser navigation carries no bearer token, but it does carry the device cookie the
app's registration set (HttpOnly, SameSite=Lax, so another site's form cannot send it), as on /r/
pages: the device is known by either. A browser with neither is told to type the code in the app;
a code asked for on another device is refused as in the app.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reportit.accounts import codes
from reportit.accounts.addresses import sign_in_email
from reportit.accounts.identity import device_from_cookie, device_from_request
from reportit.accounts.me_api import verify_sign_in
from reportit.problems import Problem
from reportit.app_state import services

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _page(request: Request, state: str, *, status_code: int = 200, **context: str) -> Response:
    return services(request).templates.TemplateResponse(
        request, "account_verify.html", {"state": state, **context}, status_code=status_code, headers=NO_STORE)


def _read(values) -> tuple[str, str]:
    return sign_in_email(values.get("email", "")), codes.read_code(values.get("code", ""))


async def verify_link(request: Request) -> Response:
    try:
        if request.method == "GET":
            email, code = _read(request.query_params)
            return _page(request, "confirm", email=email, code=code)
        email, code = _read(await request.form())
        device = await device_from_request(request, required=False) or await device_from_cookie(request)
        if device is None:
            return _page(request, "type_code", email=email, code=code)
        await verify_sign_in(device, email, code, request)
    except Problem as problem:
        return _page(request, "invalid", status_code=problem.status, message=problem.detail)
    return _page(request, "done")


routes = [Route("/account/verify", verify_link, methods=["GET", "POST"])]
