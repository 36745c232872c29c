"""Limits that keep one client from exhausting the service: request body size, and how often a
client may register a device or send reports.

Both answer in problem+json with a message a resident can act on. The report upload has its own
streaming limits (reports/upload.py) sized for photos; everything else is small.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reportit.problems import Problem

DEFAULT_MAX_BODY = 1024 * 1024  # forms and JSON: far more than any of ours needs
# The only routes that take photos, and enforce their own larger limits while the body streams
# (reports/upload.py). Exact method and path: a prefix once let /api/reports/{ref}/follow read a
# 250 MB body. /share-target never reads its body (the service worker takes the files).
UPLOAD_ROUTES = frozenset({
    ("POST", "/api/reports"),
    ("POST", "/open311/v2/requests.json"),
    ("POST", "/open311/v2/requests.xml"),
    ("POST", "/share-target"),
})


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over `max_bytes`: by Content-Length before reading, else while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) in UPLOAD_ROUTES:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"type": "about:blank", "title": "Request too large", "status": 413,
                           "detail": "This request is larger than we accept."}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


@dataclass
class RateLimiter:
    """A token bucket per key: `capacity` at once, refilled at `per_hour` an hour. In memory, per
    process: enough to stop a script; several workers each allow their own share."""

    per_hour: float
    capacity: float
    what: str  # for the message: "new app registrations", "reports"
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def check(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.per_hour / 3600)
        if tokens < 1:
            wait = math.ceil((1 - tokens) * 3600 / self.per_hour)
            self._buckets[key] = (tokens, now)
            raise Problem(429, "Too many requests",
                          f"Too many {self.what} from here just now. Nothing is lost: try again in "
                          f"{max(1, math.ceil(wait / 60))} minutes.", headers={"Retry-After": str(wait)})
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > 100_000:  # forget idle keys rather than grow without bound
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 3600}
