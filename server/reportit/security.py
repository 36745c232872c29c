"""Response headers that every page and API answer carries, and a warning when a proxy's forwarded
headers arrive but no proxy is trusted."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reportit.settings import Settings

log = logging.getLogger(__name__)


def content_security_policy(settings: Settings) -> str:
    img = ["'self'", "data:", "blob:"]
    if settings.catalogue.map.tile_url:
        tiles = urlparse(settings.catalogue.map.tile_url)
        img.append(f"{tiles.scheme}://{tiles.netloc.replace('{s}', '*')}")
    return "; ".join(
        [
            "default-src 'self'",
            f"img-src {' '.join(img)}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(settings).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]
        if settings.config.secure_cookies:  # the setting that says the service is reached over HTTPS only
            # A year, the usual figure; no includeSubDomains: other council hosts are not ours to bind.
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in self.headers if h[0] not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class UntrustedForwarding:
    """With REPORTIT_TRUSTED_PROXIES unset, X-Forwarded-For is ignored (anyone could send it). Behind
    a proxy that means every resident seems to come from the proxy and shares one rate-limit
    allowance, so say so, once, in the log the operator reads after an upgrade."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.warned = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.warned and scope["type"] == "http" and any(
                name == b"x-forwarded-for" for name, _ in scope.get("headers", [])):
            self.warned = True
            peer = (scope.get("client") or ("unknown",))[0]
            log.warning("event=forwarded_header_ignored peer=%s hint=set_REPORTIT_TRUSTED_PROXIES_to_the_proxy_"
                        "address_or_every_client_behind_it_shares_one_rate_limit", peer)
        await self.app(scope, receive, send)
