"""Limits that keep one client from exhausting the service: request body size, and how often a
client may register a device, send reports, ask for sign-in codes or confirmation emails (rates
kept in the database, so every worker shares them).

Both answer in problem+json with a message a resident can act on. The report upload has its own
streaming limits (reports/upload.py) sized for photos; everything else is small.
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from dataclasses import dataclass, field

from piccolo.engine.postgres import PostgresEngine
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reportit.accounts.tables import RateBucket
from reportit.problems import Problem

DEFAULT_MAX_BODY = 1024 * 1024  # forms and JSON: far more than any of ours needs
# The only routes that take photos, and enforce their own larger limits while the body streams
# (reports/upload.py). Exact method and path: a prefix once let /api/reports/{ref}/follow read a
# 250 MB body. /share-target never reads its body (the service worker takes the files).
# Photos sent resumably (reports/resumable.py, previews.py) are not here: each part is at most
# DEFAULT_MAX_BODY, the cap every request has, and its bytes in flight come from the upload budget.
UPLOAD_ROUTES = frozenset({
    ("POST", "/api/reports"),
    ("POST", "/open311/v2/requests.json"),
    ("POST", "/open311/v2/requests.xml"),
    ("POST", "/share-target"),
})


def client_key(request: Request) -> str:
    """Whom a per-client limit counts: the client's address (after trusted proxies), or for IPv6 its
    /64 network, since one phone or household is given a whole /64 and can rotate addresses in it."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


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
    """A token bucket per key: `capacity` at once, refilled at `per_hour` an hour.

    Kept in the database (accounts' rate_bucket table), so every worker on every machine draws on
    one budget: two workers allow exactly what one does. Taking a token is one atomic upsert that
    returns a row only when a token was there, on SQLite and PostgreSQL alike; a refusal changes
    nothing, so asking again while refused costs no extra wait.

    Buckets are named by `scope` (default: what is limited, with the rate), so a limiter built with
    other numbers starts with full buckets rather than inheriting another's.
    """

    per_hour: float
    capacity: float
    what: str  # for the message: "new app registrations", "reports"
    scope: str = ""
    _checks: int = field(default=0, repr=False)

    async def check(self, key: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        name = f"{self.scope or f'{self.what}/{self.per_hour:g}/{self.capacity:g}'}:{key}"[:400]
        rate = self.per_hour / 3600
        taken = await RateBucket.raw(_TAKE.format(least=_least()), name, self.capacity, now,
                                     *(self.capacity, now, rate) * 2)
        self._checks += 1
        if self._checks % FORGET_EVERY == 0:
            await forget_idle(now)
        if taken:
            return
        row = await RateBucket.select(RateBucket.tokens, RateBucket.updated_at).where(RateBucket.key == name).first()
        tokens = min(self.capacity, row["tokens"] + (now - row["updated_at"]) * rate) if row else 0.0
        wait = max(1, math.ceil((1 - tokens) / rate))
        raise Problem(429, "Too many requests",
                      f"Too many {self.what} from here just now. Nothing is lost: try again in "
                      f"{max(1, math.ceil(wait / 60))} minutes.", headers={"Retry-After": str(wait)})


# Insert a full bucket less one token, or take a token from the refilled bucket only if one is there:
# RETURNING yields a row exactly when a token was taken. Placeholders in order: key, capacity, now,
# then (capacity, now, rate) for the SET and again for the WHERE.
_TAKE = """
INSERT INTO rate_bucket (key, tokens, updated_at) VALUES ({{}}, {{}} - 1, {{}})
ON CONFLICT (key) DO UPDATE
SET tokens = {least}({{}}, rate_bucket.tokens + ({{}} - rate_bucket.updated_at) * {{}}) - 1, updated_at = excluded.updated_at
WHERE {least}({{}}, rate_bucket.tokens + ({{}} - rate_bucket.updated_at) * {{}}) >= 1
RETURNING tokens
"""
FORGET_EVERY = 1000  # checks per process between clean-ups of idle buckets
IDLE = 7 * 24 * 3600.0  # longer than any bucket takes to fill again: a forgotten one is a full one


def _least() -> str:
    return "LEAST" if isinstance(RateBucket._meta.db, PostgresEngine) else "MIN"


async def forget_idle(now: float) -> None:
    await RateBucket.delete().where(RateBucket.updated_at < now - IDLE)
