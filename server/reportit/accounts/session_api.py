"""Staff sign-in for the resident app (street wardens): a piccolo_api session cookie.

Failed attempts are limited per client address and email, and every failure gets the same
message, so the API tells nobody which emails have accounts.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reportit.accounts.failed_logins import failed_logins
from reportit.accounts.identity import SESSION_COOKIE, staff_from_request
from reportit.accounts.tables import StaffRole
from reportit.json_body import read_json
from reportit.problems import FieldError, Problem, invalid
from reportit.routing import by_method
from reportit.limits import client_key
from reportit.app_state import services

SESSION_DAYS = 14

WRONG = Problem(401, "Sign-in failed", "The email address or password is not right. Check them and try again.")


async def _verify(email: str, password: str) -> int | None:
    """BaseUser.login's check, with the deliberately slow hashing moved off the event loop."""
    if len(email) > 255 or len(password) > BaseUser._max_password_length:
        return None
    row = await BaseUser.select(BaseUser.id, BaseUser.password, BaseUser.active).where(BaseUser.email == email).first()
    if row is None:
        await run_in_threadpool(BaseUser.hash_password, password)  # same time whether or not the email exists
        return None
    _algorithm, iterations, salt, _hashed = BaseUser.split_stored_password(row["password"])
    hashed = await run_in_threadpool(BaseUser.hash_password, password, salt, int(iterations))
    if not secrets.compare_digest(hashed, row["password"]) or not row["active"]:
        return None
    await BaseUser.update({BaseUser.last_login: datetime.now()}).where(BaseUser.id == row["id"])
    return row["id"]


async def sign_in(request: Request) -> Response:
    # Only JSON: a form on another site can post text/plain without asking, but not JSON.
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise Problem(415, "Sign-in failed", "Sign in from the Report It app.")
    body = await read_json(request, "Enter your email address and password.")
    if not isinstance(body, dict):
        raise Problem(400, "Sign-in failed", "Enter your email address and password.")
    email = str(body.get("email", "")).strip().lower()
    password = str(body.get("password", ""))
    errors = []
    if not email:
        errors.append(("email", "Enter your email address."))
    if not password:
        errors.append(("password", "Enter your password."))
    if errors:
        raise invalid([FieldError(f, m) for f, m in errors], title="Sign-in failed")

    client = client_key(request)
    limiter = failed_logins(request)
    wait = await limiter.wait_for(client, email)
    if wait:
        raise Problem(429, "Too many attempts", f"Too many attempts. Wait {max(1, wait // 60)} minutes and try again.",
                      headers={"Retry-After": str(wait)})
    user_id = await _verify(email, password)
    staff = None
    if user_id is not None:
        staff = await StaffRole.select(StaffRole.role).where(StaffRole.user == user_id).first()
    if staff is None:
        await limiter.record(client, email)
        raise WRONG
    await limiter.clear(client, email)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # a token planted before sign-in must not become a signed-in session
        await SessionsBase.remove_session(previous)
    session = await SessionsBase.create_session(
        user_id, expiry_date=datetime.now() + timedelta(days=SESSION_DAYS),
        max_expiry_date=datetime.now() + timedelta(days=SESSION_DAYS * 2),
    )
    response = JSONResponse({"email": email, "role": staff["role"]})
    response.set_cookie(
        SESSION_COOKIE, session.token, max_age=SESSION_DAYS * 86400, httponly=True, samesite="lax",
        secure=services(request).settings.config.secure_cookies, path="/",
    )
    return response


async def who(request: Request) -> Response:
    staff = await staff_from_request(request)
    if staff is None:
        raise Problem(401, "Not signed in", "Sign in with your council staff account.")
    return JSONResponse({"email": staff.email, "role": staff.role}, headers={"Cache-Control": "no-store"})


async def sign_out(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await SessionsBase.remove_session(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=services(request).settings.config.secure_cookies)
    return response


routes = [
    by_method("/api/session", POST=sign_in, GET=who, DELETE=sign_out),
]

_PROBLEM = {"description": "A problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_STAFF = {"application/json": {"schema": {
    "type": "object", "required": ["email", "role"],
    "properties": {"email": {"type": "string"}, "role": {"type": "string", "enum": ["warden", "officer", "admin"]}},
}}}

OPENAPI_PATHS = {
    "/api/session": {
        "post": {
            "summary": "Staff sign-in in the app: sets an HttpOnly session cookie",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["email", "password"],
                "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
            }}}},
            "responses": {"200": {"description": "Signed in", "content": _STAFF},
                          "401": _PROBLEM, "415": _PROBLEM, "422": _PROBLEM, "429": _PROBLEM},
        },
        "get": {
            "summary": "Who is signed in",
            "responses": {"200": {"description": "The signed-in staff member", "content": _STAFF}, "401": _PROBLEM},
        },
        "delete": {"summary": "Sign out", "responses": {"204": {"description": "Signed out"}}},
    }
}
