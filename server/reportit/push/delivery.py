"""What a push service's (or SMTP server's) answer means for a notification: sent, retry or stop."""

from __future__ import annotations

import logging
import random
import ssl
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import aiohttp
import httpx

from reportit.push.email import PermanentFailure
from reportit.push.message import PushRequest

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF = 30.0  # seconds; doubles per attempt, with jitter so a recovering service isn't stampeded
MAX_BACKOFF = 3600.0
DEFAULT_RETRY_AFTER = 60.0
MAX_RETRY_AFTER = 24 * 3600.0
# RFC 8030/8292: these mean our request is wrong (bad VAPID key or JWT, payload too large),
# so sending it again cannot succeed.
CONFIGURATION_ERRORS = {400: "bad request", 401: "VAPID signature refused", 403: "VAPID key refused",
                        413: "payload too large"}


@dataclass(frozen=True)
class Outcome:
    kind: str  # sent | retry | failed | gone | skipped (withheld before sending)
    status: int | None = None
    retry_at: datetime | None = None
    error: str = ""
    config_error: bool = False
    counts_against_subscription: bool = False
    # False: nothing was tried (the claim's time ran short): the claim's attempt is given back.
    attempted: bool = True


async def post(client: PushClient, request: PushRequest, attempts: int, now: datetime) -> Outcome:
    try:
        response = await client.send(request)
    except TRANSPORT_ERRORS as exc:
        if _certificate_refused(exc):
            # Nothing was sent. Retried with the usual back-off, as a push service's expired or
            # half-rotated certificate is usually fixed within hours; failed after MAX_ATTEMPTS.
            return backoff(attempts, now, None, f"the push service's TLS certificate did not verify: {exc}",
                           counts=True)
        return backoff(attempts, now, None, f"{type(exc).__name__}: {exc}", counts=True)
    if response.status in (200, 201, 202):
        return Outcome("sent", response.status)
    return push_outcome(response.status, response.retry_after, response.text, attempts, now)


# What a request can fail with short of an answer: the request may or may not have reached the
# push service, so the row is retried with a back-off (a push carries its report as its Topic, so
# one sent twice replaces itself on the phone).
TRANSPORT_ERRORS = (httpx.HTTPError, aiohttp.ClientError, TimeoutError, OSError)


@dataclass(frozen=True)
class PushResponse:
    status: int
    retry_after: str | None
    text: str  # the first 200 characters, for the row's last_error
    http_version: str


class PushClient:
    """One client for every push service.

    HTTP/1.1 over TLS through aiohttp, a pool of kept-alive connections per push service, is the
    fast path: FCM, Mozilla, Apple and Windows all take it (pywebpush speaks nothing else), and it
    costs a sixth of the CPU of httpx's pure-Python HTTP/2 per request (measured: about 150 µs
    against 950 µs). A push service that will not speak HTTP/1.1 (it answers 505 or 426, or ends
    the connection before it ever answered a request) is spoken to through httpx with h2 from then
    on: HTTP/2 over TLS, one connection with a stream per request, as ALPN decides.

    Both verify certificates (the system's CAs, plus REPORTIT_PUSH_CA_FILE), follow no redirect (the
    allow-list was for the endpoint), keep no cookies (a push service has no business setting any:
    one would follow us from subscription to subscription), and go through the proxy the
    environment names (HTTPS_PROXY or ALL_PROXY, NO_PROXY honoured).
    """

    def __init__(self, ca_file: str = "", timeout: httpx.Timeout | None = None, connections: int = 128,
                 per_origin: int = 16) -> None:
        self.ca_file = ca_file
        self.timeout = timeout or httpx.Timeout(10.0, connect=5.0)
        self.connections = connections
        self.per_origin = per_origin
        self._session: aiohttp.ClientSession | None = None  # made in the running event loop
        self._http2: Http2Client | None = None
        self._http2_origins: set[str] = set()
        self._answered: set[str] = set()  # origins that answered a request over HTTP/1.1
        self._proxies: dict[str, str | None] = {}

    async def send(self, request: PushRequest) -> PushResponse:
        endpoint = request.endpoint
        origin = endpoint[: endpoint.find("/", 8)] if endpoint.count("/") > 2 else endpoint
        if origin not in self._http2_origins:
            proxy = self._proxy(origin)
            if proxy is None or proxy.startswith(("http://", "https://")):
                try:
                    response = await self._send_http1(request, proxy)
                except aiohttp.ClientError as exc:
                    if origin in self._answered or not _speaks_no_http1(exc):
                        raise
                    self._use_http2(origin, type(exc).__name__)
                else:
                    if response.status not in (426, 505):
                        self._answered.add(origin)
                        return response
                    # 505 HTTP Version Not Supported, 426 Upgrade Required: not processed, so sent again at once.
                    self._use_http2(origin, f"answered {response.status}")
            else:  # a SOCKS proxy: httpx speaks it (with socksio installed), aiohttp does not
                self._http2_origins.add(origin)
        return await self._http2_client().send(request)

    async def _send_http1(self, request: PushRequest, proxy: str | None) -> PushResponse:
        if self._session is None:
            timeout = self.timeout
            connect = timeout.connect or 5.0
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=_http1_ssl_context(self.ca_file), limit=self.connections,
                                               limit_per_host=self.per_origin),
                cookie_jar=aiohttp.DummyCookieJar(),
                # Within the sender's REQUEST_BUDGET, as httpx's connect + write + read.
                timeout=aiohttp.ClientTimeout(total=connect + (timeout.write or 10.0) + (timeout.read or 10.0),
                                              sock_connect=connect, sock_read=timeout.read),
                trust_env=False,  # the proxy is chosen in _proxy (aiohttp's own ignores ALL_PROXY)
            )
        async with self._session.post(request.endpoint, data=request.body, headers=request.headers, proxy=proxy,
                                      allow_redirects=False) as response:
            body = await response.read()  # read to its end, so the connection is kept for the next request
            return PushResponse(response.status, response.headers.get("retry-after"),
                                body[:200].decode("utf-8", "replace"), "1.1")

    def _proxy(self, origin: str) -> str | None:
        """The proxy for a push service, as httpx would choose it: HTTPS_PROXY, else ALL_PROXY,
        unless NO_PROXY names the host."""
        if origin not in self._proxies:
            proxies = urllib.request.getproxies_environment()
            proxy = proxies.get("https") or proxies.get("all")
            host = urlsplit(origin).hostname or ""
            if proxy and urllib.request.proxy_bypass_environment(host, proxies):
                proxy = None
            if proxy and "://" not in proxy:
                proxy = f"http://{proxy}"
            self._proxies[origin] = proxy
        return self._proxies[origin]

    def _use_http2(self, origin: str, reason: str) -> None:
        if origin not in self._http2_origins:
            log.info("event=push_service_http2 origin=%s reason=%s", origin, reason)
            self._http2_origins.add(origin)

    def _http2_client(self) -> Http2Client:
        if self._http2 is None:
            self._http2 = Http2Client(
                http2=True,
                verify=push_ssl_context(self.ca_file),
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=self.connections, max_keepalive_connections=self.connections),
                follow_redirects=False,
            )
        return self._http2

    async def aclose(self) -> None:
        session, self._session = self._session, None
        http2, self._http2 = self._http2, None
        if session is not None:
            await session.close()
        if http2 is not None:
            await http2.aclose()


def _speaks_no_http1(exc: BaseException) -> bool:
    """The connection was made but ended, or answered something that is not HTTP/1.1, before any
    answer: what a push service that speaks only HTTP/2 does with an HTTP/1.1 request."""
    return not isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ClientProxyConnectionError,
                                aiohttp.ClientHttpProxyError, TimeoutError))


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        pass


class Http2Client(httpx.AsyncClient):
    """httpx with h2, for push services that need HTTP/2. It keeps no cookies (httpx parses every
    response's through urllib's cookie machinery otherwise: a tenth of its work per request)."""

    @property  # type: ignore[override]
    def cookies(self) -> httpx.Cookies:
        return _NoCookies()

    @cookies.setter
    def cookies(self, cookies) -> None:
        pass

    async def send(self, request: PushRequest) -> PushResponse:  # type: ignore[override]
        # Built by hand: `build_request` merges the client's default headers, URL and cookies into
        # each request, a third of the client's work per request, for nothing a push service needs.
        response = await super().send(httpx.Request(
            "POST", request.endpoint, content=request.body, headers=request.headers,
            extensions={"timeout": self.timeout.as_dict()}))
        return PushResponse(response.status_code, response.headers.get("retry-after"), response.text[:200],
                            response.http_version.removeprefix("HTTP/"))


def _certificate_refused(exc: BaseException) -> bool:
    while exc is not None:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def push_ssl_context(ca_file: str = "") -> ssl.SSLContext:
    """The system's trusted CAs (certificates verified, host names checked), plus `ca_file`
    (REPORTIT_PUSH_CA_FILE) for a private push service, or the tests' local one."""
    context = httpx.create_ssl_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def _http1_ssl_context(ca_file: str) -> ssl.SSLContext:
    # Its own context: httpx sets ALPN on the one it is given (h2 included).
    context = push_ssl_context(ca_file)
    context.set_alpn_protocols(["http/1.1"])
    return context


def push_client(ca_file: str, timeout: httpx.Timeout, connections: int, per_origin: int = 16) -> PushClient:
    """A client for push services (see PushClient): `connections` in all, `per_origin` to each."""
    return PushClient(ca_file, timeout, connections, per_origin)


def push_outcome(status: int, retry_after: str | None, text: str, attempts: int, now: datetime) -> Outcome:
    if status in (200, 201, 202):
        return Outcome("sent", status)
    if status in (404, 410):  # the subscription expired or was unsubscribed: forget it
        return Outcome("gone", status, error=text)
    if status == 429:
        if attempts >= MAX_ATTEMPTS:
            return Outcome("failed", status, error="still rate limited after the last attempt")
        return Outcome("retry", status, retry_at=now + timedelta(seconds=parse_retry_after(retry_after, now)),
                       error=f"rate limited: {text}")
    if status >= 500:
        return backoff(attempts, now, status, text, counts=True)
    reason = CONFIGURATION_ERRORS.get(status, "refused")
    return Outcome("failed", status, error=f"{reason}: {text}", config_error=True, counts_against_subscription=True)


def email_outcome(error: Exception | None, attempts: int, now: datetime) -> Outcome:
    if error is None:
        return Outcome("sent")
    if isinstance(error, PermanentFailure):
        return Outcome("failed", error=str(error))
    return backoff(attempts, now, None, f"{type(error).__name__}: {error}")


def backoff(attempts: int, now: datetime, status: int | None, error: str, *, counts: bool = False) -> Outcome:
    if attempts >= MAX_ATTEMPTS:
        return Outcome("failed", status, error=f"gave up after {attempts} attempts: {error}",
                       counts_against_subscription=counts)
    delay = min(BASE_BACKOFF * 2 ** max(0, attempts - 1), MAX_BACKOFF) * random.uniform(0.5, 1.5)
    return Outcome("retry", status, retry_at=now + timedelta(seconds=delay), error=error,
                   counts_against_subscription=counts)


def parse_retry_after(value: str | None, now: datetime) -> float:
    """RFC 9110 §10.2.3: seconds or an HTTP date; anything unreadable means a minute."""
    if not value:
        return DEFAULT_RETRY_AFTER
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return DEFAULT_RETRY_AFTER
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - now).total_seconds()
    return min(max(seconds, 1.0), MAX_RETRY_AFTER)
