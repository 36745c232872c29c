"""Who is making a request: a resident's device (bearer token) or a signed-in staff member."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase
from starlette.requests import Request
from starlette.responses import Response

from reportit.accounts.tables import Device, StaffRole
from reportit.problems import Problem
from reportit.app_state import services

SESSION_COOKIE = "id"  # piccolo_api's session cookie


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    email: str
    role: str  # warden | officer | admin

    @property
    def works_cases(self) -> bool:
        return self.role in ("officer", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_device() -> tuple[Device, str]:
    token = secrets.token_urlsafe(32)
    device = Device(device_id=uuid.uuid4(), token_hash=hash_token(token))
    await device.save()
    return device, token


def _unauthorised(detail: str) -> Problem:
    return Problem(401, "We don't recognise this app", detail, headers={"WWW-Authenticate": 'Bearer realm="reportit"'})


async def device_from_request(request: Request, *, required: bool = True) -> Device | None:
    header = request.headers.get("authorization", "")
    if not header:
        if required:
            raise _unauthorised("Please open Report It again so it can register this phone, then try once more.")
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorised("The app sent a sign-in token we cannot read. Please reopen Report It and try again.")
    digest = hash_token(token.strip())
    device = _remembered(request, digest)
    if device is None:
        device = await Device.objects().where(Device.token_hash == digest).first()
        if device is None:
            raise _unauthorised("This app's registration is not valid any more. Please reopen Report It and try again.")
        _remember(request, digest, device)
    return device


# The device's token also rides in an HttpOnly cookie, for what the browser asks for by itself
# (a page opened from a link, an <img>), where the app cannot add its bearer token. Only pages and
# photos read it (reports/access.page_viewer); the API reads the bearer token alone.
DEVICE_COOKIE = "reportit_device"
DEVICE_COOKIE_SECONDS = 400 * 24 * 3600  # the longest browsers keep a cookie; renewed by My reports


def set_device_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_SECONDS, path="/", httponly=True, samesite="lax",
        secure=services(request).settings.config.secure_cookies,
    )


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def device_from_cookie(request: Request) -> Device | None:
    """The device named by the cookie, or None (no cookie, or one that names no device)."""
    token = request.cookies.get(DEVICE_COOKIE, "")
    if not token:
        return None
    digest = hash_token(token)
    device = _remembered(request, digest)
    if device is None:
        device = await Device.objects().where(Device.token_hash == digest).first()
        if device is not None:
            _remember(request, digest, device)
    return device


# Devices are looked up on every app request (a warden's outbox flush is dozens in a row), and a
# registration never changes once made, so each process keeps recently seen ones for a while.
# Anything that revokes a device must also clear this cache.
DEVICE_CACHE_SECONDS = 300.0
DEVICE_CACHE_SIZE = 10_000


def _remembered(request: Request, digest: str) -> Device | None:
    entry = services(request).device_cache.get(digest)
    if entry is None or entry[1] < time.monotonic():
        return None
    return entry[0]


def _remember(request: Request, digest: str, device: Device) -> None:
    cache = services(request).device_cache
    if len(cache) >= DEVICE_CACHE_SIZE:
        cache.clear()
    cache[digest] = (device, time.monotonic() + DEVICE_CACHE_SECONDS)


async def staff_from_request(request: Request) -> StaffMember | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    user_id = await SessionsBase.get_user_id(token)
    if user_id is None:
        return None
    row = (
        await BaseUser.select(BaseUser.id, BaseUser.email, BaseUser.active)
        .where(BaseUser.id == user_id)
        .first()
    )
    if row is None or not row["active"]:
        return None
    role = await StaffRole.select(StaffRole.role).where(StaffRole.user == user_id).first()
    if role is None:
        return None
    return StaffMember(user_id=row["id"], email=row["email"], role=role["role"])
