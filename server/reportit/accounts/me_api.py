"""My Account for the resident app: sign in with an emailed code, profile, devices, my data.

Every route is called by a registered device (bearer token). Signing in joins that device to the
account; everything else needs a device that is signed in (403 otherwise, never 401: a 401 tells
the app its registration is gone).
"""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, timezone

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reportit import database, json_body
from reportit.accounts import codes, erase, export, present, residents
from reportit.accounts.addresses import body_of, sign_in_email
from reportit.accounts.code_mail import send_code
from reportit.accounts.identity import device_from_request
from reportit.accounts.profile import read_profile_change
from reportit.accounts.tables import Device
from reportit.limits import client_key
from reportit.routing import by_method
from reportit.problems import FieldError, Problem, invalid
from reportit.app_state import services

MAX_BODY = 16 * 1024
NOT_JSON = "Send a JSON object, as the Report It app does."
CONFIRM_PHRASE = "delete my account"
NO_STORE = {"Cache-Control": "no-store"}
NOT_SIGNED_IN = Problem(403, "Not signed in", "Sign in to your account on this phone first: ask for a code "
                        "with your email address.")


async def read_json(request: Request, *, optional: bool = False) -> dict:
    """The house's JSON reader (size capped while streaming, nesting and NUL refused) with our cap."""
    payload = await json_body.read_json(request, NOT_JSON, MAX_BODY)
    if optional and payload is None:
        return {}
    return body_of(payload)


async def limit_codes(request: Request, email: str) -> None:
    """Per address asking (settable) and per email address (3 at once, then 6 an hour)."""
    client = client_key(request)
    await services(request).sign_in_address_limiter.check(client)
    try:
        await services(request).sign_in_email_limiter.check(email)
    except Problem as problem:
        minutes = max(1, math.ceil(int(problem.headers.get("Retry-After", "60")) / 60))
        raise Problem(429, "Too many codes", f"We have just sent several codes to this address. Use the newest "
                      f"email, or ask again in {minutes} minutes.", headers=problem.headers) from None


async def signed_in(request: Request) -> tuple[Device, int]:
    device = await device_from_request(request)
    assert device is not None
    account_id = await residents.account_id_of(device.id)
    if account_id is None:
        raise NOT_SIGNED_IN
    return device, account_id


async def _send(request: Request, email: str, device: Device, *, purpose: str, account_id: int | None = None) -> Response:
    await limit_codes(request, email)
    code = await codes.issue(email, device.id, services(request).secret_key, purpose=purpose, account_id=account_id)
    # The same answer whether or not the address has an account; the email goes after the answer.
    return JSONResponse({"email": email, "expires_in": int(codes.LIFETIME.total_seconds())}, status_code=202,
                        headers=NO_STORE,
                        background=BackgroundTask(send_code, services(request).settings, email, code, purpose=purpose))


async def sign_in(request: Request) -> Response:
    device = await device_from_request(request)
    assert device is not None
    email = sign_in_email((await read_json(request)).get("email"))
    return await _send(request, email, device, purpose="sign_in")


async def verify_sign_in(device: Device, email: str, code: str, request: Request) -> int:
    """Check the code and join the device to the account, all or nothing; shared with the link page."""
    confirmed = await codes.check(email, code, device.id, services(request).secret_key)
    async with database.write_transaction(Device._meta.db):
        await codes.use(confirmed)
        return await residents.join(device, email, user_agent=request.headers.get("user-agent", ""),
                                    settings=services(request).settings)


async def verify(request: Request) -> Response:
    device = await device_from_request(request)
    assert device is not None
    body = await read_json(request)
    errors = []
    try:
        email = sign_in_email(body.get("email"))
    except Problem as problem:
        errors += problem.errors
    try:
        code = codes.read_code(body.get("code"))
    except Problem as problem:
        errors += problem.errors
    if errors:
        raise invalid(errors, title="Check your email address and code")
    await verify_sign_in(device, email, code, request)
    return JSONResponse(await present.me_json(device), headers=NO_STORE)


async def me(request: Request) -> Response:
    device = await device_from_request(request)
    assert device is not None
    await Device.update({Device.last_seen_at: datetime.now(timezone.utc)}).where(Device.id == device.id)
    return JSONResponse(await present.me_json(device), headers=NO_STORE)


async def update_me(request: Request) -> Response:
    device, account_id = await signed_in(request)
    change = read_profile_change(await read_json(request))
    await residents.update_profile(account_id, name=change.name, phone=change.phone, places=change.places)
    return JSONResponse(await present.me_json(device), headers=NO_STORE)


async def change_email(request: Request) -> Response:
    device, account_id = await signed_in(request)
    email = sign_in_email((await read_json(request)).get("email"))
    account = await residents.account_row(account_id)
    if account and account["email"] == email:
        raise invalid([FieldError("email", "That is already your email address.")], title="Check your email address")
    return await _send(request, email, device, purpose="change_email", account_id=account_id)


async def verify_email(request: Request) -> Response:
    device, account_id = await signed_in(request)
    body = await read_json(request)
    email = sign_in_email(body.get("email"))
    code = codes.read_code(body.get("code"))
    confirmed = await codes.check(email, code, device.id, services(request).secret_key, purpose="change_email")
    if confirmed.account_id != account_id:
        # This phone asked for it, but while signed in to another account (it signed out and in since).
        message = ("This code was asked for while this phone was signed in to another account. Ask for a new "
                   "code to change this account's email address.")
        raise Problem(403, "That code did not work", message, [FieldError("code", message)])
    if await residents.email_taken(email, account_id):
        message = "Another account uses that email address. Sign in with it, or delete that account first."
        raise Problem(409, "Email address in use", message, [FieldError("email", message)])
    async with database.write_transaction(Device._meta.db):
        await codes.use(confirmed, purpose="change_email")
        await residents.change_email(account_id, email)
    return JSONResponse(await present.me_json(device), headers=NO_STORE)


async def sign_out(request: Request) -> Response:
    device = await device_from_request(request)
    assert device is not None
    body = await read_json(request, optional=True)
    account_id = await residents.account_id_of(device.id)
    if account_id is not None:
        everywhere = body.get("everywhere") is True
        devices = await residents.device_ids_of_account(account_id) if everywhere else [device.id]
        await residents.leave(account_id, devices)
    return Response(status_code=204)


async def list_devices(request: Request) -> Response:
    device, account_id = await signed_in(request)
    return JSONResponse({"devices": await present.devices_json(account_id, device.id)}, headers=NO_STORE)


async def remove_device(request: Request) -> Response:
    _device, account_id = await signed_in(request)
    row = await Device.select(Device.id).where(
        (Device.device_id == _uuid(request.path_params["id"])) & (Device.account == account_id)).first()
    if row is None:
        raise Problem(404, "Device not found", "That phone or browser is not signed in to your account.")
    await residents.leave(account_id, [row["id"]])
    return Response(status_code=204)


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Problem(404, "Device not found", "That phone or browser is not signed in to your account.") from None


async def download(request: Request) -> Response:
    device, account_id = await signed_in(request)
    settings = services(request).settings
    data = await export.export_account(account_id, settings, actor="resident")
    name = f"my-data-{settings.catalogue.council.short_name.lower().replace(' ', '-')}-{date.today():%Y-%m-%d}"
    if request.query_params.get("format") == "html":
        return services(request).templates.TemplateResponse(
            request, "account_export.html", {"data": data}, headers={**NO_STORE,
                                                                     "Content-Disposition": f'inline; filename="{name}.html"'})
    return JSONResponse(data, headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}.json"'})


async def delete_me(request: Request) -> Response:
    _device, account_id = await signed_in(request)
    confirm = (await read_json(request)).get("confirm")
    if not isinstance(confirm, str) or confirm.strip().lower() != CONFIRM_PHRASE:
        raise invalid([FieldError("confirm", f'Type "{CONFIRM_PHRASE}" to confirm. Nothing has been deleted.')],
                      title="Confirm to delete your account")
    summary = await erase.erase_account(account_id, services(request).settings, actor="resident")
    return JSONResponse(summary, headers=NO_STORE)


routes = [
    by_method("/api/me", GET=me, PATCH=update_me, DELETE=delete_me),
    Route("/api/me/sign-in", sign_in, methods=["POST"]),
    Route("/api/me/sign-in/verify", verify, methods=["POST"]),
    Route("/api/me/sign-out", sign_out, methods=["POST"]),
    Route("/api/me/email", change_email, methods=["POST"]),
    Route("/api/me/email/verify", verify_email, methods=["POST"]),
    Route("/api/me/devices", list_devices, methods=["GET"]),
    Route("/api/me/devices/{id}", remove_device, methods=["DELETE"]),
    Route("/api/me/export", download, methods=["GET"]),
]
