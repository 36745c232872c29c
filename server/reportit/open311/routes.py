"""/open311/v2/…: GeoReport v2 (and FixMyStreet's updates extension) in JSON and XML.

Handlers are thin: read the parameters, call a service function, render. Every failure a caller can
cause is answered in the spec's error shape, in the format they asked for.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from reportit.open311 import services
from reportit.open311.create import create_request, describe
from reportit.open311.keys import key_for
from reportit.open311.params import (MAX_PAGE_SIZE, comma_list, date_window, nul_params, page, read_form,
                                      refuse_nul)
from reportit.open311.records import public_requests, window
from reportit.open311.render import FORMATS, Open311Error, error_response, render
from reportit.open311.statuses import codes_with
from reportit.open311.tables import ApiKey
from reportit.open311.updates import public_updates, receive_update
from reportit.problems import Problem
from reportit.reports.references import normalise
from reportit.reports.tables import Report
from reportit.reports.upload import ParsedForm
from reportit.app_state import services as app_services

log = logging.getLogger(__name__)

BASE = "/open311/v2"
Handler = Callable[[Request, str], Awaitable[Response]]


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        response = await _answer(request)
        if request.method == "GET":
            # Public data, sent without credentials: a neighbourhood map on another site may read it.
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    async def _answer(request: Request) -> Response:
        fmt = request.path_params.get("fmt", "")
        if fmt not in FORMATS:
            return error_response("xml", Open311Error(404, f"Unknown format '.{fmt}': use .xml or .json."))
        try:
            refuse_nul(nul_params(request.query_params))
            return await handler(request, fmt)
        except Open311Error as error:
            return error_response(fmt, error)
        except Problem as problem:  # from the shared upload parser and intake
            return error_response(fmt, describe(problem))
        except ClientDisconnect:
            raise  # the caller went away mid-request: the app logs it as the normal event it is
        except Exception:
            log.exception("event=open311_error method=%s path=%s", request.method, request.url.path)
            return error_response(fmt, Open311Error(500, "Something went wrong on our side. Please try again later."))

    return answer


async def api_key(request: Request, form: ParsedForm) -> ApiKey:
    # The spec puts api_key in the POST body; some clients put it in the query string.
    sent = form.get("api_key").strip() or request.query_params.get("api_key", "").strip()
    if not sent:
        raise Open311Error(403, "api_key is required to post. Ask the council for one.")
    key = await key_for(sent)
    if key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed.")
    return key


async def discovery(request: Request, fmt: str) -> Response:
    return render(fmt, "discovery", services.discovery_json(app_services(request).settings))


async def service_list(request: Request, fmt: str) -> Response:
    settings = app_services(request).settings
    return render(fmt, "services", [services.service_json(c, settings) for c in services.public_services(settings)])


async def service_definition(request: Request, fmt: str) -> Response:
    category = services.service_for(app_services(request).settings, request.path_params["service_code"])
    return render(fmt, "service_definition", services.definition_json(category))


async def requests(request: Request, fmt: str) -> Response:
    settings = app_services(request).settings
    if request.method == "POST":
        with app_services(request).upload_budget.claim() as claim:
            form = await read_form(request, settings, claim)
            key = await api_key(request, form)
            created = await create_request(form, settings=settings, store=app_services(request).photo_store,
                                           key_name=key.name, claim=claim)
        body = [{"service_request_id": created.service_request_id, "service_notice": created.service_notice,
                 "account_id": None}]
        return render(fmt, "service_requests", body)

    params = request.query_params
    wanted_ids = comma_list(params.get("service_request_id"))
    if wanted_ids:  # the spec: a list of ids overrides every other parameter
        references = [r for r in (normalise(i) for i in wanted_ids[:MAX_PAGE_SIZE]) if r]
        found = await public_requests(Report.reference.is_in(references), settings, limit=MAX_PAGE_SIZE) if references else []
        return render(fmt, "service_requests", found)

    start, end = date_window(params)
    paging = page(params)
    where = window(start, end)
    service_codes = comma_list(params.get("service_code"))
    if service_codes:
        where &= Report.category.code.is_in(service_codes)
    statuses = {s.lower() for s in comma_list(params.get("status"))}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed, or both separated by a comma.")
    if len(statuses) == 1:
        ours = codes_with(settings, next(iter(statuses)))
        if not ours:
            return render(fmt, "service_requests", [])
        where &= Report.status.is_in(ours)
    found = await public_requests(where, settings, limit=paging.size, offset=paging.offset)
    return render(fmt, "service_requests", found)


async def one_request(request: Request, fmt: str) -> Response:
    sent = request.path_params["service_request_id"]
    reference = normalise(sent)
    found = await public_requests(Report.reference == reference, app_services(request).settings, limit=1) if reference else []
    if not found:
        raise Open311Error(404, f"There is no service request {sent!r}.")
    return render(fmt, "service_requests", found)


async def token(request: Request, fmt: str) -> Response:
    raise Open311Error(
        404, f"There is no token {request.path_params['token']!r}: requests here are realtime, "
        "so POST requests answers with the service_request_id at once."
    )


async def updates(request: Request, fmt: str) -> Response:
    settings = app_services(request).settings
    if request.method == "POST":
        form = await read_form(request, settings)
        key = await api_key(request, form)
        result = await receive_update({name: form.get(name) for name in form.fields}, settings=settings, key=key)
        return render(fmt, "service_request_updates", [{"update_id": result.update_id}])
    start, end = date_window(request.query_params)  # api_key may be sent here too (FixMyStreet does); it is not needed
    return render(fmt, "service_request_updates", await public_updates(settings, start, end))


async def nothing_here(request: Request) -> Response:
    fmt = "json" if request.url.path.endswith(".json") else "xml"
    error = Open311Error(404, "There is nothing at this address. Start at discovery.xml or services.xml.")
    return error_response(fmt, error)


routes = [
    Route(f"{BASE}/discovery.{{fmt}}", endpoint(discovery), methods=["GET"]),
    Route(f"{BASE}/services.{{fmt}}", endpoint(service_list), methods=["GET"]),
    Route(f"{BASE}/services/{{service_code}}.{{fmt}}", endpoint(service_definition), methods=["GET"]),
    Route(f"{BASE}/requests.{{fmt}}", endpoint(requests), methods=["GET", "POST"]),
    Route(f"{BASE}/requests/{{service_request_id}}.{{fmt}}", endpoint(one_request), methods=["GET"]),
    Route(f"{BASE}/tokens/{{token}}.{{fmt}}", endpoint(token), methods=["GET"]),
    Route(f"{BASE}/servicerequestupdates.{{fmt}}", endpoint(updates), methods=["GET", "POST"]),
    Route(f"{BASE}/{{rest:path}}", nothing_here, methods=["GET", "POST"]),
]
