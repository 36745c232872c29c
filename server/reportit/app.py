"""The application factory: routes, middleware and the lifespan that owns shared resources."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from typing import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Mount
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from piccolo.engine.base import Engine

from reportit import database, health, home, logs, openapi, wiring
from reportit.app_state import AppState, services
from reportit.accounts import api as accounts_api
from reportit.accounts.failed_logins import FailedLogins
from reportit.accounts import me_api, session_api, verify_page
from reportit.alerts import api as alerts_api
from reportit.applications import api as applications_api
from reportit.applications import representations_api
from reportit.applications import pages as application_pages
from reportit.applications.feed import poll_feeds
from reportit import shell
from reportit.basemap import libraries as basemap_libraries
from reportit.basemap import serving as basemap_serving
from reportit.open311 import routes as open311_routes
from reportit.places import api as places_api
from reportit.console import routes as console_routes
from reportit.limits import BodyLimit, RateLimiter
from reportit.problems import Problem, handle_problem, problem_response
from reportit.push import api as push_api
from reportit.push import follows_api
from reportit.push.confirmation import ConfirmationLimits
from reportit.push.sender import Sender
from reportit.push.vapid import VapidKeyring
from reportit.reports import api as reports_api
from reportit.reports import pages as report_pages
from reportit.reports import previews, resumable
from reportit.reports.categories import sync_categories
from reportit.reports.sweep import sweep_periodically
from reportit.reports.storage import StorageUnavailable, store_for
from reportit.reports.upload_budget import UploadBudget
from reportit.secrets_store import secret
from reportit.security import SecurityHeaders, UntrustedForwarding
from reportit.static_files import STATIC_DIR, VersionedStaticFiles
from reportit.settings import Settings, load_settings
from reportit.templating import make_templates

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    logs.configure(settings.config.log_level)
    wiring.wire_domains()
    engine = database.engine_for(settings)
    database.use(engine)
    state = make_state(settings, engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await database.start_pool(engine)
        try:
            state.category_ids = await sync_categories(settings)
            sweeper = asyncio.create_task(sweep_periodically(
                state.photo_store, uploads=(settings.config.uploads_dir, settings.config.upload_expiry_hours)))
            sender = state.push_sender = Sender(settings, secret_key=state.secret_key)
            sender.start()
            feeds = asyncio.create_task(poll_feeds(settings)) if settings.catalogue.applications.feeds else None
            log.info("event=started database=%s", "postgresql" if settings.config.is_postgres else "sqlite")
            try:
                yield
            finally:  # stopped before the pool closes, however the app ends
                sweeper.cancel()
                if feeds is not None:
                    feeds.cancel()
                await sender.aclose()
        finally:
            await database.close_pool(engine)

    app = Starlette(
        routes=[
            *health.routes,
            *home.routes,
            *accounts_api.routes,
            *session_api.routes,
            *me_api.routes,
            *alerts_api.routes,
            *verify_page.routes,
            *shell.routes,
            *basemap_serving.routes,
            *basemap_libraries.routes,
            *places_api.routes,
            *reports_api.routes,
            *resumable.routes,
            *previews.routes,
            *push_api.routes,
            *follows_api.routes,
            *report_pages.routes,
            *representations_api.routes,
            *applications_api.routes,
            *application_pages.routes,
            *openapi.routes,
            *open311_routes.routes,
            *console_routes.mount(settings),
            Mount("/static", VersionedStaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            *proxy_middleware(settings),
            Middleware(SecurityHeaders, settings=settings),
            Middleware(BodyLimit),
            # PMTiles files are compressed tile by tile, and sent whole for "keep the whole borough".
            Middleware(GZipMiddleware, minimum_size=1024,
                       exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, basemap_serving.MEDIA_TYPE)),
        ],
        exception_handlers={Problem: handle_problem, HTTPException: handle_http_error,
                            ClientDisconnect: handle_disconnect, StorageUnavailable: handle_storage_down,
                            OSError: handle_disk_full, Exception: handle_crash},
        lifespan=lifespan,
    )
    app.state.services = state
    return app


def make_state(settings: Settings, engine: Engine) -> AppState:
    """Everything the app holds, made once; the lifespan fills in what needs the database."""
    config = settings.config
    return AppState(
        settings=settings,
        engine=engine,
        secret_key=secret(config.data_dir, "secret_key"),
        templates=make_templates(settings),
        photo_store=store_for(settings),
        upload_budget=UploadBudget.for_settings(settings),
        vapid_keyring=VapidKeyring(config.data_dir),
        device_limiter=_hourly(config.device_registrations_per_hour, "new app registrations"),
        report_limiter=_hourly(config.reports_per_hour, "reports"),
        sign_in_address_limiter=_hourly(config.sign_in_codes_per_hour, "sign-in codes"),
        sign_in_email_limiter=RateLimiter(6, capacity=3, what="sign-in codes"),  # 3 at once, then 6 an hour
        confirmation_limits=ConfirmationLimits.new(),
        failed_logins=FailedLogins(),
    )


def _hourly(per_hour: int, what: str) -> RateLimiter:
    """A third of the hour's allowance may come at once."""
    return RateLimiter(per_hour, capacity=max(1, per_hour // 3), what=what)


def proxy_middleware(settings: Settings) -> list[Middleware]:
    """Believe X-Forwarded-For and -Proto only from REPORTIT_TRUSTED_PROXIES: the client address
    becomes the right-most one those proxies did not add, so rate limits count per client behind a
    proxy, and a client elsewhere cannot claim a fresh address per request."""
    if not settings.config.trusted_proxies:
        return [Middleware(UntrustedForwarding)]
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.config.trusted_proxies))]


MESSAGES = {
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
}


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    title, detail = MESSAGES.get(exc.status_code, ("Request failed", str(exc.detail)))
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return problem_response(Problem(exc.status_code, title, detail, headers=dict(exc.headers or {})), request)
    return services(request).templates.TemplateResponse(
        request, "error.html", {"title": title, "detail": detail}, status_code=exc.status_code
    )


async def handle_disconnect(request: Request, exc: Exception) -> Response:
    """A phone that loses its signal mid-upload: normal on the street, and the app sends it again."""
    log.info("event=client_disconnected method=%s path=%s", request.method, request.url.path)
    return Response(status_code=400)  # nobody is listening; uvicorn drops it


async def handle_storage_down(request: Request, exc: Exception) -> Response:
    """The photo store is unreachable or too slow: intake wrote no report row (files go first,
    the row after), so the app keeps the report and sends it again."""
    log.warning("event=storage_down method=%s path=%s", request.method, request.url.path)
    if request.method == "GET":
        problem = Problem(503, "Photo not available just now", "This photo cannot be shown just now. Try again in a few minutes.",
                          headers={"Retry-After": "60"})
    else:
        problem = Problem(503, "Photos cannot be stored just now", "We could not store your photos just now. Nothing is "
                          "lost: your report will be sent again in a few minutes.", headers={"Retry-After": "60"})
    return problem_response(problem, request)


async def handle_disk_full(request: Request, exc: Exception) -> Response:
    """A disk (the photo store, the uploads directory) out of space or quota while a request wrote to
    it: whatever wrote removed its half-written files, and nothing was stored without its photos, so
    the app keeps what it sent and sends it again. Any other OSError is a crash."""
    if not isinstance(exc, OSError) or exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        raise exc
    log.error("event=disk_full method=%s path=%s error=%s", request.method, request.url.path, exc)
    return problem_response(Problem(503, "No room just now", "The council's server is out of space just now. Nothing is "
                                    "lost: your phone keeps what you sent and sends it again later.",
                                    headers={"Retry-After": "300"}), request)


async def handle_crash(request: Request, exc: Exception) -> Response:
    log.exception("event=unhandled_error method=%s path=%s", request.method, request.url.path)
    problem = Problem(500, "Something went wrong", "Something went wrong on our side. Please try again in a few minutes.")
    return problem_response(problem, request)
