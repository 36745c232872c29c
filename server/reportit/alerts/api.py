"""Alerts for the resident app: `GET|POST /api/me/alerts`, `PUT|DELETE /api/me/alerts/{id}`,
`GET /api/me/alerts/estimate`, and the one-click unsubscribe page alert emails link to.

Any registered device may keep alerts (they are pushed to it); a signed-in one shares them with
every phone of its account, and the account's email is used when none of them takes pushes."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reportit import database
from reportit.accounts.identity import device_from_request
from reportit.accounts.me_api import read_json
from reportit.accounts.tables import ResidentAccount
from reportit.alerts import store
from reportit.alerts.estimate import estimate
from reportit.alerts.notify import secret_key_of, unsubscribe_token
from reportit.alerts.rules import TITLE, read_categories, read_kinds, read_point, read_radius, read_alert
from reportit.alerts.tables import Alert
from reportit.alerts.wards import estimate_ward, resolved, ward_named
from reportit.app_state import services
from reportit.problems import FieldError, invalid
from reportit.push.alert_outbox import withdraw_emails
from reportit.routing import by_method

NO_STORE = {"Cache-Control": "no-store"}


async def _watcher(request: Request) -> store.Watcher:
    device = await device_from_request(request)
    assert device is not None
    return await store.watcher_of(device.id)


async def list_alerts(request: Request) -> Response:
    watcher = await _watcher(request)
    return JSONResponse({"alerts": await store.list_alerts(watcher), "email": await _email_of(watcher)},
                        headers=NO_STORE)


async def create_alert(request: Request) -> Response:
    watcher = await _watcher(request)
    spec = await resolved(read_alert(await read_json(request), services(request).settings))
    return JSONResponse(await store.create(watcher, spec), status_code=201, headers=NO_STORE)


async def update_alert(request: Request) -> Response:
    watcher = await _watcher(request)
    spec = await resolved(read_alert(await read_json(request), services(request).settings))
    return JSONResponse(await store.update(watcher, _alert_id(request), spec), headers=NO_STORE)


def _alert_id(request: Request) -> int:
    text = request.path_params["id"]
    if not text.isdigit() or len(text) > 18:
        raise store.NOT_FOUND
    return int(text)


async def delete_alert(request: Request) -> Response:
    watcher = await _watcher(request)
    await store.delete(watcher, _alert_id(request))
    return Response(status_code=204)


async def estimate_alert(request: Request) -> Response:
    """`?latitude=&longitude=&radius=&kinds=planning,problems&categories=pothole`, or `?ward=&kinds=…`"""
    await _watcher(request)
    query = request.query_params
    errors: list[FieldError] = []
    if query.get("ward", "").strip():
        kinds = read_kinds(query.get("kinds", ""), errors, text=True)
        categories = read_categories(query.get("categories"), services(request).settings, errors, text=True)
        if errors:
            raise invalid(errors, title=TITLE)
        ward = await ward_named(query["ward"][:200])
        return JSONResponse({**await estimate_ward(ward, kinds, categories), "ward": ward}, headers=NO_STORE)
    lat, lng = read_point(dict(query), services(request).settings, errors)
    radius = read_radius(query.get("radius"), errors)
    kinds = read_kinds(query.get("kinds", ""), errors, text=True)
    categories = read_categories(query.get("categories"), services(request).settings, errors, text=True)
    if errors:
        raise invalid(errors, title=TITLE)
    assert lat is not None and lng is not None and radius is not None
    return JSONResponse(await estimate(lat, lng, radius, kinds, categories), headers=NO_STORE)


async def _email_of(watcher: store.Watcher) -> str | None:
    """The address alert emails go to (the account's), or None for a phone that is not signed in."""
    if watcher.account_id is None:
        return None
    row = await ResidentAccount.select(ResidentAccount.email).where(ResidentAccount.id == watcher.account_id).first()
    return row["email"] if row else None


async def _unsubscribing(request: Request, token: str) -> int | None:
    head, _, _ = token.partition(".")
    if not head.isdigit() or len(head) > 18:
        return None
    account = await ResidentAccount.select(ResidentAccount.id, ResidentAccount.email).where(
        ResidentAccount.id == int(head)).first()
    if account is None:
        return None
    expected = unsubscribe_token(secret_key_of(services(request).settings.config.data_dir), account["id"],
                                 account["email"])
    return account["id"] if hmac.compare_digest(token, expected) else None


async def unsubscribe(request: Request) -> Response:
    token = request.path_params["token"]
    account_id = await _unsubscribing(request, token)
    state = "invalid" if account_id is None else "confirm"
    # GET only asks: mail scanners follow links, and must not unsubscribe anyone. RFC 8058's
    # one-click POST (body List-Unsubscribe=One-Click) and the page's button both land here.
    if account_id is not None and request.method == "POST":
        async with database.write_transaction(Alert._meta.db):
            ids = [r["id"] for r in await Alert.update({Alert.email: "none"}).where(
                Alert.account == account_id).returning(Alert.id)]
            await withdraw_emails(ids, "unsubscribed")
        state = "done"
    return services(request).templates.TemplateResponse(
        request, "alerts_unsubscribe.html", {"state": state, "token": token},
        status_code=404 if state == "invalid" else 200, headers=NO_STORE)


routes = [
    by_method("/api/me/alerts", GET=list_alerts, POST=create_alert),
    Route("/api/me/alerts/estimate", estimate_alert, methods=["GET"]),
    by_method("/api/me/alerts/{id}", PUT=update_alert, DELETE=delete_alert),
    Route("/alerts/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"]),
]
