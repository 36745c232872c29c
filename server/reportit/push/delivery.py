"""What a push service's (or SMTP server's) answer means for a notification: sent, retry or stop."""

from __future__ import annotations

import logging
import random
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

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


async def post(client: PushClient, request: PushRequest, attempts: int, now: datetime) -> Outcome:
    try:
        response = await client.send(client.push_request(request))
    except httpx.HTTPError as exc:
        if _certificate_refused(exc):
            # Nothing was sent. Retried with the usual back-off, as a push service's expired or
            # half-rotated certificate is usually fixed within hours; failed after MAX_ATTEMPTS.
            return backoff(attempts, now, None, f"the push service's TLS certificate did not verify: {exc}",
                           counts=True)
        return backoff(attempts, now, None, f"{type(exc).__name__}: {exc}", counts=True)
    if response.status_code in (200, 201, 202):
        return Outcome("sent", response.status_code)
    return push_outcome(response.status_code, response.headers.get("retry-after"), response.text[:200], attempts, now)


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        pass


class PushClient(httpx.AsyncClient):
    """An httpx.AsyncClient that keeps no cookies. A push service has no business setting any (one
    would follow us from subscription to subscription), and httpx parses every response's through
    urllib's cookie machinery: a tenth of the client's work per request, measured."""

    @property  # type: ignore[override]
    def cookies(self) -> httpx.Cookies:
        return _NoCookies()

    @cookies.setter
    def cookies(self, cookies) -> None:
        pass

    def push_request(self, request: PushRequest) -> httpx.Request:
        """The request as built by hand: `build_request` merges the client's default headers, URL
        and cookies into each one, a third of the client's work per request, for nothing a push
        service needs. The client's timeouts still apply."""
        return httpx.Request("POST", request.url or request.endpoint, content=request.body, headers=request.headers,
                             extensions={"timeout": self.timeout.as_dict()})


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


def push_client(ssl_context: ssl.SSLContext, timeout: httpx.Timeout, connections: int) -> PushClient:
    """A client for push services: HTTP/2 where the service offers it (FCM, Mozilla and Apple do;
    ALPN decides), HTTP/1.1 otherwise, through a proxy when the environment names one (httpx
    honours HTTPS_PROXY, ALL_PROXY and NO_PROXY itself)."""
    return PushClient(
        http2=True,
        verify=ssl_context,
        timeout=timeout,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        follow_redirects=False,  # a redirect could point anywhere: the allow-list was for the endpoint
    )


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
