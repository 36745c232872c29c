"""Console sign-in and sign-out: piccolo_api sessions on Piccolo's user table.

Every sign-in gets a fresh session token and removes the one the browser brought, so a token
planted before sign-in (session fixation) is worthless. Failed attempts are limited per client
address and email, and per address alone, so guessing is slow whichever is varied.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlparse

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reportit.accounts.identity import SESSION_COOKIE, staff_from_request
from reportit.accounts.failed_logins import failed_logins
from reportit.accounts.tables import StaffRole
from reportit.console.access import form_of, render
from reportit.console.audit import record
from reportit.limits import client_key
from reportit.app_state import services

log = logging.getLogger(__name__)

SESSION_HOURS = 12  # one working day; officers sign in again tomorrow
def safe_next(target: str) -> str:
    """Only console paths on this site: never an open redirect."""
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/console") or target.startswith("//"):
        return "/console/"
    return target


async def verify_password(email: str, password: str) -> int | None:
    """The user id for a right email and password. Hashing runs off the event loop, and as long
    for an unknown email as for a known one."""
    if len(email) > 255 or len(password) > BaseUser._max_password_length:
        return None
    row = await BaseUser.select(BaseUser.id, BaseUser.password, BaseUser.active).where(BaseUser.email == email).first()
    if row is None:
        await run_in_threadpool(BaseUser.hash_password, password)
        return None
    _algorithm, iterations, salt, _hashed = BaseUser.split_stored_password(row["password"])
    hashed = await run_in_threadpool(BaseUser.hash_password, password, salt, int(iterations))
    if not secrets.compare_digest(hashed, row["password"]) or not row["active"]:
        return None
    return row["id"]


async def sign_in_page(request: Request) -> Response:
    staff = await staff_from_request(request)
    if staff is not None:
        return RedirectResponse(safe_next(request.query_params.get("next", "/console/")), status_code=303)
    return render(request, "sign_in.html", {"next": safe_next(request.query_params.get("next", "/console/")),
                                            "signed_out": "signed_out" in request.query_params,
                                            "password_set": "password_set" in request.query_params})


async def sign_in(request: Request) -> Response:
    form = await form_of(request)
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/console/")))
    errors = {}
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"

    def again(status: int, message_errors: dict[str, str]) -> Response:
        return render(request, "sign_in.html", {"errors": message_errors, "email": email, "next": target},
                      status_code=status)

    if errors:
        return again(422, errors)
    address = client_key(request)
    limiter = failed_logins(request)
    wait = await limiter.wait_for(address, email)
    if wait:
        minutes = max(1, round(wait / 60))
        log.warning("event=console_sign_in_limited address=%s", address)
        response = again(429, {"email": f"Too many attempts to sign in. Wait {minutes} minute{'s' if minutes > 1 else ''}"
                                        " and try again."})
        response.headers["Retry-After"] = str(wait)
        return response
    user_id = await verify_password(email, password)
    role = await StaffRole.select(StaffRole.role).where(StaffRole.user == user_id).first() if user_id else None
    if role is None:
        await limiter.record(address, email)
        log.info("event=console_sign_in_failed address=%s", address)
        return again(401, {"email": "The email address or password is not right"})
    await limiter.clear(address, email)

    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        await SessionsBase.remove_session(old_token)
    now = datetime.now()
    session = await SessionsBase.create_session(user_id, expiry_date=now + timedelta(hours=SESSION_HOURS),
                                                max_expiry_date=now + timedelta(hours=SESSION_HOURS))
    await BaseUser.update({BaseUser.last_login: now}).where(BaseUser.id == user_id)
    await record(user_id, email, "signed_in")
    secure = services(request).settings.config.secure_cookies
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, session.token, max_age=SESSION_HOURS * 3600, httponly=True,
                        samesite="lax", secure=secure, path="/")
    # A new CSRF token too, so one seen before sign-in cannot be replayed after it.
    response.set_cookie(request.scope.get("csrf_cookie_name", "csrftoken"), str(uuid.uuid4()), httponly=True,
                        samesite="strict", secure=secure, path="/")
    return response


async def sign_out(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    staff = await staff_from_request(request)
    if token:
        await SessionsBase.remove_session(token)
    if staff is not None:
        await record(staff.user_id, staff.email, "signed_out")
    response = RedirectResponse("/console/sign-in?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=services(request).settings.config.secure_cookies)
    return response
