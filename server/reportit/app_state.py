"""What the running app holds, in one typed place: made by `create_app`, read through `services()`.

Handlers ask `services(request).photo_store` instead of reaching into Starlette's untyped
`app.state`, so what a domain depends on is listed here and nothing is created on the side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection

if TYPE_CHECKING:
    from piccolo.engine.base import Engine
    from starlette.applications import Starlette
    from starlette.templating import Jinja2Templates

    from reportit.accounts.failed_logins import FailedLogins
    from reportit.accounts.identity import Device
    from reportit.catalogue import Catalogue
    from reportit.config import Config
    from reportit.limits import RateLimiter
    from reportit.push.confirmation import ConfirmationLimits
    from reportit.push.sender import Sender
    from reportit.push.vapid import VapidKeyring
    from reportit.reports.storage import PhotoStore
    from reportit.reports.upload_budget import UploadBudget
    from reportit.settings import Settings
    from reportit.shell import Build


@dataclass
class AppState:
    settings: Settings  # the config and the catalogue; a test may swap it for one with other values
    engine: Engine
    secret_key: bytes
    templates: Jinja2Templates
    photo_store: PhotoStore  # a directory or an S3-compatible object store
    upload_budget: UploadBudget
    vapid_keyring: VapidKeyring  # reads the key files again when `reportit vapid --rotate` changed them
    device_limiter: RateLimiter  # new app registrations, per client address
    report_limiter: RateLimiter  # reports, per device or staff member
    sign_in_address_limiter: RateLimiter  # sign-in codes, per client address
    sign_in_email_limiter: RateLimiter  # sign-in codes, per email address
    confirmation_limits: ConfirmationLimits
    failed_logins: FailedLogins
    # Recently seen device tokens (digest -> (device, expiry)), so each API call skips a lookup.
    device_cache: dict[str, tuple[Device, float]] = field(default_factory=dict)
    category_ids: dict[str, int] | None = None  # set by the lifespan once categories are synced
    push_sender: Sender | None = None  # runs while the lifespan does
    pwa_build: Build | None = None  # the app shell, built on its first request

    @property
    def config(self) -> Config:
        return self.settings.config

    @property
    def catalogue(self) -> Catalogue:
        return self.settings.catalogue


def services(holder: HTTPConnection | Starlette | Any) -> AppState:
    """The app's state, from a request (or websocket) or from the app itself."""
    app = holder.app if isinstance(holder, HTTPConnection) else holder
    return app.state.services
