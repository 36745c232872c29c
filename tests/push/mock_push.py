"""A push service on loopback that checks requests the way FCM/Mozilla/Apple do, and decrypts them.

Like them it speaks HTTP/2 (and HTTP/1.1, as ALPN decides) over TLS only: hypercorn serves it with a
certificate from a test CA (trustme) that only the tests trust (`ca_file`, given to the sender as
REPORTIT_PUSH_CA_FILE).

Endpoints are /push/<behaviour>/<name>; behaviours: ok (201), gone (410), notfound (404),
ratelimit (429, Retry-After: 120), flaky (503 the first time per name, then 201), toolarge (413),
slow (201 after SLOW_SECONDS; a request its sender gave up on first is recorded as 499, not delivered).
Any request breaking the rules (VAPID JWT, TTL, Content-Encoding, size) is refused whatever the path.
`requests_per_connection` makes it end each connection (HTTP/2 GOAWAY, HTTP/1.1 Connection: close)
after that many requests. `http2_only` makes it answer HTTP/1.1 requests 505 (HTTP Version Not
Supported), as a push service that speaks only HTTP/2 may. Every answer sets a cookie, which a
sender must never send back.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import http_ece
import jwt
import trustme
from hypercorn.asyncio import serve
from hypercorn.config import Config
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

TEST_CA = trustme.CA()
MAX_BODY = 4096
SLOW_SECONDS = 0.1
ANSWERS = {"ok": 201, "slow": 201, "gone": 410, "notfound": 404, "ratelimit": 429, "toolarge": 413}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Browser:
    """The receiving side of a subscription: the key pair and auth secret a browser would make."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> Browser:
        import os

        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def keys(self) -> dict[str, str]:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64url(point), "auth": b64url(self.auth)}


@dataclass
class Received:
    path: str
    status: int
    headers: dict[str, str]
    payload: dict | None = None
    claims: dict | None = None
    problem: str = ""
    http_version: str = ""
    client_port: int = 0  # tells connections apart


@dataclass
class MockPushService:
    browser: Browser
    vapid_public_key: str = ""  # base64url application server key the subscriptions were made with
    port: int = 0
    requests_per_connection: int = 0  # 0: no limit; else GOAWAY after this many requests on a connection
    http2_only: bool = False
    received: list[Received] = field(default_factory=list)
    # One test CA for every mock of the run, so any of the run's senders (each app's own) can reach
    # any mock; a test of an untrusted certificate gives one of its own.
    ca: trustme.CA = field(default_factory=lambda: TEST_CA)
    ca_file: str = ""  # the CA's certificate (PEM), for the sender to trust
    _stop: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """What REPORTIT_PUSH_HOSTS needs to accept its endpoints."""
        return f"127.0.0.1:{self.port}"

    def url(self, behaviour: str, name: str) -> str:
        return f"{self.origin}/push/{behaviour}/{name}"

    def for_path(self, name: str) -> list[Received]:
        return [r for r in self.received if r.path.endswith(f"/{name}")]

    def delivered(self, name: str) -> list[Received]:
        return [r for r in self.for_path(name) if r.status == 201]

    def delivered_counts(self) -> Counter:
        return Counter(r.path for r in list(self.received) if r.status == 201)

    async def handle(self, request: Request) -> Response:
        behaviour, name = request.path_params["behaviour"], request.path_params["name"]
        body = await request.body()
        record = Received(request.url.path, 0, dict(request.headers), http_version=request.scope["http_version"],
                          client_port=request.client.port if request.client else 0)
        if self.http2_only and record.http_version != "2":
            record.status, record.problem = 505, "this push service speaks HTTP/2 only"
            self.received.append(record)
            return Response(record.problem, status_code=505)
        status, retry_after = self._answer(request, body, behaviour, name, record)
        if behaviour == "slow" and status == 201:
            await asyncio.sleep(SLOW_SECONDS)
            if await request.is_disconnected():
                status = 499
        record.status = status
        self.received.append(record)
        headers = {"Retry-After": retry_after} if retry_after else {}
        headers["Set-Cookie"] = f"tracking={name}; Path=/; Secure"
        if status == 201:
            headers["Location"] = f"{self.origin}/message/{len(self.received)}"
        return Response(record.problem, status_code=status, headers=headers)

    def _answer(self, request: Request, body: bytes, behaviour: str, name: str, record: Received) -> tuple[int, str]:
        problem = self._check_vapid(request, record)
        if problem:
            record.problem = problem
            return (403 if "key" in problem else 401), ""
        ttl = request.headers.get("ttl", "")
        if not ttl.isdigit():
            record.problem = "TTL header missing or not a number"
            return 400, ""
        if request.headers.get("content-encoding") != "aes128gcm":
            record.problem = "Content-Encoding must be aes128gcm"
            return 415, ""
        if len(body) > MAX_BODY:
            record.problem = f"{len(body)} bytes is over {MAX_BODY}"
            return 413, ""
        try:
            plain = http_ece.decrypt(body, private_key=self.browser.private_key, auth_secret=self.browser.auth,
                                     version="aes128gcm")
            record.payload = json.loads(plain)
        except Exception as exc:  # what a browser would do: drop it; tell the test why
            record.problem = f"cannot decrypt: {exc!r}"
            return 400, ""
        if behaviour == "flaky":
            return (503, "") if not self.for_path(name) else (201, "")
        if behaviour == "ratelimit":
            return 429, "120"
        return ANSWERS.get(behaviour, 404), ""

    def _check_vapid(self, request: Request, record: Received) -> str:
        scheme, _, params = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "vapid":
            return "Authorization must use the vapid scheme"
        fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if fields.get("k") != self.vapid_public_key:
            return "VAPID key is not the one the subscription was made with"
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(fields["k"]))
        try:
            # RFC 8292 says aud is the origin; webpush 1.0.6 leaves the port out, so take both.
            claims = jwt.decode(fields.get("t", ""), public_key, algorithms=["ES256"],
                                audience=[self.origin, self.origin.rsplit(":", 1)[0]],
                                options={"require": ["exp", "aud", "sub"]})
        except jwt.PyJWTError as exc:
            return f"VAPID JWT invalid: {exc}"
        if claims["exp"] > time.time() + 24 * 3600:
            return "VAPID JWT expires more than 24 hours ahead"
        if not str(claims["sub"]).startswith(("mailto:", "https:")):
            return "VAPID sub must be a mailto: or https: URL"
        record.claims = claims
        return ""

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        folder = Path(tempfile.mkdtemp(prefix="mock-push-"))
        certificate = self.ca.issue_cert("127.0.0.1")
        certificate.private_key_and_cert_chain_pem.write_to_path(str(folder / "server.pem"))
        self.ca.cert_pem.write_to_path(str(folder / "ca.pem"))
        self.ca_file = str(folder / "ca.pem")
        config = Config()
        config.bind = [f"127.0.0.1:{self.port}"]
        config.certfile = config.keyfile = str(folder / "server.pem")
        config.alpn_protocols = ["h2", "http/1.1"]
        config.loglevel = "WARNING"
        config.accesslog = config.errorlog = None
        # hypercorn ends a connection after 1,000 requests by default, dropping the answers in flight
        # (which the sender then sends again): only when a test asks for it.
        config.keep_alive_max_requests = self.requests_per_connection or 10**9
        app = Starlette(routes=[Route("/push/{behaviour}/{name}", self.handle, methods=["POST"])])
        started = threading.Event()

        async def run() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self._loop.set_exception_handler(_quiet_tls_shutdown)
            started.set()
            await serve(app, config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

        self._thread = threading.Thread(target=asyncio.run, args=(run(),), name="mock-push", daemon=True)
        self._thread.start()
        started.wait(10)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("mock push service did not start") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)


def _quiet_tls_shutdown(loop: asyncio.AbstractEventLoop, context: dict) -> None:
    """A client that goes without TLS's close_notify (as a sender's idle connection may) makes
    hypercorn's close wait and time out: nothing a test needs to hear about."""
    if isinstance(context.get("exception"), TimeoutError):
        return
    loop.default_exception_handler(context)
