"""`POST /api/applications/{reference}/representations` (JSON, `Idempotency-Key`): a resident's
representation, received once; `…/representations/preview` shows exactly what would be published
and what the case officer and the applicant get; `…/representations/code` emails a code that
confirms an address on the spot (a phone signed in to My Account uses the account's address).

Called by a registered device (bearer token), like the /api/me routes. After the representation is
stored, the phone follows the application (an alert on its reference), so the decision reaches the
resident as every other change does, and a receipt is queued in the notification outbox.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.message import EmailMessage

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reportit import database
from reportit.accounts import codes
from reportit.accounts.addresses import sign_in_email
from reportit.accounts.identity import device_from_request
from reportit.accounts.me_api import NO_STORE, limit_codes, read_json
from reportit.accounts.residents import account_id_of, account_row
from reportit.app_state import services
from reportit.applications.deadline import today_in
from reportit.applications.present import load, page_path
from reportit.applications.representation_rules import known_streets
from reportit.applications.representations import (NO_SUCH, admit, parse_key, preview_json, read_written,
                                                   receipt_json, repeat_of, store)
from reportit.mail import new_message, send_now
from reportit.problems import FieldError, Problem, invalid
from reportit.settings import Settings

log = logging.getLogger(__name__)
PURPOSE = "representation"
DECISION_FOLLOWS = "We will tell you the decision."


async def _application(request: Request) -> dict:
    reference = request.path_params["reference"].strip()
    row = await load(reference)
    if row is None:
        raise Problem(404, "No such application", NO_SUCH.format(ref=reference[:100]))
    return row


async def _account_email(device_id: int) -> tuple[int | None, str]:
    account_id = await account_id_of(device_id)
    if account_id is None:
        return None, ""
    account = await account_row(account_id)
    return account_id, (account["email"] if account else "")


async def preview(request: Request) -> Response:
    device = await device_from_request(request)
    assert device is not None
    body = await read_json(request)
    application = await _application(request)
    written = read_written(body, application["regime"])
    rules = services(request).settings.catalogue.applications
    late = admit(application, rules, today_in(rules))
    _, email = await _account_email(device.id)
    return JSONResponse(preview_json(application, written, email or written.email, rules.redaction, late,
                                     await known_streets([written.address])), headers=NO_STORE)


async def send(request: Request) -> Response:
    if request.query_params.get("preview") == "1":
        return await preview(request)
    device = await device_from_request(request)
    assert device is not None
    key = parse_key(request.headers.get("idempotency-key"))
    body = await read_json(request)
    application = await _application(request)
    written = read_written(body, application["regime"])
    state = services(request)
    rules = state.settings.catalogue.applications
    own_words = rules.type_for(application["regime"], application.get("application_type") or "").own_late_words()
    earlier = await repeat_of(key, written)
    if earlier is not None:  # the same representation again (a retry): answered, never stored twice
        return JSONResponse(receipt_json(earlier, rules.redaction, application["regime"],
                                         await known_streets([earlier["address"]]), own_words,
                                         await _decision_words(device.id, application["reference"])),
                            headers=NO_STORE)
    late = admit(application, rules, today_in(rules))  # the server's time of receipt decides
    account_id, email = await _account_email(device.id)
    confirmed = None
    if not email:
        if not written.email:
            raise invalid([FieldError("email", "Give your email address: we send a code to confirm it, then your "
                                      "receipt and the decision.")], title="Confirm your email address")
        confirmed = await codes.check(written.email, codes.read_code(written.code), device.id, state.secret_key,
                                      purpose=PURPOSE)
        email = written.email
    async with database.write_transaction(_engine()):
        if confirmed is not None:
            await codes.use(confirmed, purpose=PURPOSE)
        row = await store(application, written, email, late=late, key=key, device_id=device.id, account_id=account_id)
    log.info("event=representation_received reference=%s id=%d late=%s", application["reference"], row["id"], late)
    then = await _follow_and_receipt(state.settings, application, row, device.id, own_words)
    return JSONResponse(receipt_json(row, rules.redaction, application["regime"], await known_streets([row["address"]]),
                                     own_words, then), status_code=201, headers=NO_STORE)


def _engine():
    from reportit.applications.representation_tables import Representation

    return Representation._meta.db


async def _follow_and_receipt(settings: Settings, application: dict, row: dict, device_id: int,
                              late_text: str = "") -> str:
    """The phone follows the application (so the decision reaches it like any change) and a receipt
    is queued. The receipt is owed whatever the resident chose about the follow (it is their proof of
    a legal representation), so it is no alert's: stopping the follow or its emails never withdraws
    it. Its words say truly whether the decision will reach them (returned, for the answer). Never
    undoes the representation: a failure here is logged."""
    from reportit.alerts.notify import notify
    from reportit.alerts.rules import AlertSpec
    from reportit.alerts.store import create, watcher_of
    from reportit.push.alert_outbox import Addressee
    from reportit.push.fanout import working_subscriptions
    from reportit.push.message import AlertNews

    reference = application["reference"]
    then = DECISION_FOLLOWS
    try:
        alert = await create(await watcher_of(device_id), AlertSpec(
            label=f"Commented on {reference}"[:80], latitude=None, longitude=None, radius=None,
            application=reference, kinds=("changes",), categories=(), email="immediate"), keep_choices=True)
        now = datetime.now(timezone.utc)
        subscriptions = (await working_subscriptions([device_id], now)).get(device_id, [])
        kind = "objection" if row["sentiment"] == "object" else row["sentiment"]
        late = ("" if not row["late"] else f" (after the consultation closed). {late_text.rstrip('.')}" if late_text
                else " (after the consultation closed; still considered)")
        then = _then(bool(subscriptions), alert["email"])
        news = AlertNews(f"Representation received: {reference}"[:200],
                         f"We received your {kind} on {application['address'] or reference}{late}. {then}",
                         page_path(reference), f"rep-{row['id']}", reference)
        async with database.write_transaction(_engine()):
            await notify([(news, Addressee(None, tuple(subscriptions), row["email"], "immediate"))], settings)
    except Exception:  # noqa: BLE001 - the representation is stored; the receipt is a courtesy
        log.exception("event=representation_receipt_failed id=%d", row["id"])
    return then


def _then(pushes: bool, email_mode: str) -> str:
    """Whether the decision will reach the resident: by a phone taking pushes, or by email."""
    if pushes or email_mode != "none":
        return DECISION_FOLLOWS
    return ("You chose not to be emailed about this application, so we will not email you the decision: "
            "it will be on the application's page.")


async def _decision_words(device_id: int, reference: str) -> str:
    """For a repeated send: the words the first answer gave, from the follow as it is now."""
    from reportit.alerts.store import watcher_of
    from reportit.alerts.tables import Alert
    from reportit.push.fanout import working_subscriptions

    follow = await Alert.select(Alert.email).where(
        (await watcher_of(device_id)).where() & (Alert.application == reference)).first()
    if follow is None:
        return DECISION_FOLLOWS
    pushes = (await working_subscriptions([device_id], datetime.now(timezone.utc))).get(device_id, [])
    return _then(bool(pushes), follow["email"])


def _code_message(settings: Settings, email: str, code: str, reference: str) -> EmailMessage:
    message = new_message(settings, email, f"{code} is your code to confirm your representation")
    message.set_content(
        f"Your code to confirm your email address for your representation on {reference} is: {code}\n\n"
        "Type it in the app. It works once, for 10 minutes. If you did not ask for it, ignore this email.\n\n"
        f"--\n{settings.catalogue.council.name}\n")
    return message


async def _send_code(settings: Settings, email: str, code: str, reference: str) -> None:
    if not settings.config.smtp_url:
        log.info("event=representation_code email=%s code=%s note=no_smtp_url", email, code)
        return
    failure = await send_now(settings, _code_message(settings, email, code, reference))
    if failure is not None:
        log.warning("event=representation_code_not_sent error=%r", failure)


async def email_code(request: Request) -> Response:
    device = await device_from_request(request)
    assert device is not None
    application = await _application(request)
    email = sign_in_email((await read_json(request)).get("email"))
    await limit_codes(request, email)
    state = services(request)
    code = await codes.issue(email, device.id, state.secret_key, purpose=PURPOSE)
    return JSONResponse({"email": email, "expires_in": int(codes.LIFETIME.total_seconds())}, status_code=202,
                        headers=NO_STORE, background=BackgroundTask(_send_code, state.settings, email, code,
                                                                    application["reference"]))


_PROBLEMS = {"description": "A problem the resident can read (RFC 9457)",
             "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_REF = [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}]
OPENAPI_PATHS = {
    "/api/applications/{reference}/representations": {"post": {
        "summary": "Make a representation (object | support | comment) on an application; repeat safely with the "
                   "same Idempotency-Key; `?preview=1` is the preview",
        "parameters": [*_REF, {"name": "Idempotency-Key", "in": "header", "required": False,
                               "schema": {"type": "string", "format": "uuid"}}],
        "responses": {"201": {"description": "Received (the receipt)"}, "200": {"description": "A repeat"},
                      "401": _PROBLEMS, "404": _PROBLEMS, "409": _PROBLEMS, "422": _PROBLEMS}}},
    "/api/applications/{reference}/representations/preview": {"post": {
        "summary": "What would be published, and what the case officer and the applicant get", "parameters": _REF,
        "responses": {"200": {"description": "`{published, case_officer, applicant, late}`"}, "422": _PROBLEMS}}},
    "/api/applications/{reference}/representations/code": {"post": {
        "summary": "Email a code that confirms the representor's address", "parameters": _REF,
        "responses": {"202": {"description": "Sent"}, "422": _PROBLEMS, "429": _PROBLEMS}}},
}

routes = [
    Route("/api/applications/{reference:path}/representations/preview", preview, methods=["POST"]),
    Route("/api/applications/{reference:path}/representations/code", email_code, methods=["POST"]),
    Route("/api/applications/{reference:path}/representations", send, methods=["POST"]),
]
