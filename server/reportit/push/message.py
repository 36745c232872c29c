"""What a status notification says, and the encrypted, signed request that carries it.

`http_ece` encrypts (RFC 8291 on RFC 8188's aes128gcm) and `webpush`'s VAPID class signs (RFC
8292), each through its public API; everything else about the request (TTL, Urgency, Topic) is set
here, because `WebPush.get(ttl=...)` changes the instance it is called on and would leak one
message's settings into the next.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Callable
from email.utils import parseaddr
from urllib.parse import urlparse

import http_ece
import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from webpush import WebPush
from webpush.types import WebPushKeys, WebPushSubscription

from reportit.push.base64url import decode as b64decode
from reportit.push.vapid import VapidKeys
from reportit.reports.references import spoken
from reportit.settings import Settings

log = logging.getLogger(__name__)

MAX_ENCRYPTED = 4096  # RFC 8030 §7.2: push services must accept at least this much
# aes128gcm adds a 16-byte salt, a 4-byte record size, a key-id length and a 65-byte key (RFC 8188),
# a one-byte padding delimiter and a 16-byte tag: the rest is ours.
ENCRYPTION_OVERHEAD = 16 + 4 + 1 + 65 + 1 + 16
MAX_PAYLOAD = MAX_ENCRYPTED - ENCRYPTION_OVERHEAD
TTL_SECONDS = 4 * 7 * 24 * 3600  # a phone switched off for a holiday still hears the news
# webpush signs VAPID JWTs valid for 12 hours. One JWT serves every message to a push service
# (RFC 8292 §2: the token is per audience, not per message) until this much of it is used up.
VAPID_REUSE_SECONDS = 3600
ELLIPSIS = "…"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # what httpx refuses in a URL ("non-printable ASCII")


@dataclass(frozen=True)
class StatusNews:
    """One public status change, as a follower may see it: never contact details or notes."""

    reference: str
    status_code: str
    status_name: str
    text: str  # the officer's public message, or the status's own description
    status_kind: str = "open"  # open | closed | fixed, as the report's JSON gives it
    text_is_message: bool = False  # True when `text` is the officer's message (the history shows it)
    place: str = ""  # the report's street and ward in words (reportit.places), "" when not known


@dataclass(frozen=True)
class AlertNews:
    """A message of its own (an alert), worded when it was queued: about an application or a report
    near a place a resident watches. Shown the same way as a status change; a tap opens `url`."""

    title: str
    body: str
    url: str  # a path on this service: /a/{reference} or /r/{reference}
    tag: str  # replaces an older notification with the same tag on the phone
    reference: str = ""


News = StatusNews | AlertNews


@dataclass(frozen=True)
class Target:
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushRequest:
    endpoint: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class EncodeFailure:
    """A request that could not be built (say, an endpoint webpush refuses): that row fails alone.

    `error` names the exception's type only: its message may quote the endpoint, never logged."""

    error: str


def encode_each(encoder: PushEncoder, items: list[tuple[News, Target]]) -> list[PushRequest | EncodeFailure]:
    """One request per item, each built on its own, so a bad subscription can't sink the batch."""
    results: list[PushRequest | EncodeFailure] = []
    for news, target in items:
        try:
            results.append(encoder.request(news, target))
        except Exception as exc:  # noqa: BLE001 - any failure is that one row's
            results.append(EncodeFailure(f"could not build the request: {type(exc).__name__}"))
    return results


def news_for(settings: Settings, reference: str, status_code: str, public_message: str, place: str = "") -> StatusNews:
    status = settings.catalogue.status(status_code)
    name = status.name if status else status_code
    message = public_message.strip()  # what the report's history keeps (see reports.status)
    text = message or (status.description if status and status.description else name)
    return StatusNews(reference=reference, status_code=status_code, status_name=name, text=text,
                      status_kind=status.kind if status else "open", text_is_message=bool(message), place=place)


def news_of_row(settings: Settings, row: dict, place: str = "") -> News:
    """What an outbox row says: its own words (an alert), or its status change's (with the report's
    street and ward, `place`)."""
    if row.get("title"):
        return AlertNews(title=row["title"], body=row["body"], url=row["url"], tag=row["tag"],
                         reference=row.get("reference") or "")
    return news_for(settings, row["reference"], row["to_status"], row["public_message"], place)


def alert_payload(news: AlertNews, base_url: str) -> bytes:
    """The same declarative shape as a status change's, with the alert's own words and link."""

    def encode(body: str) -> bytes:
        data = {"url": news.url, "kind": "alert"}
        if news.reference:
            data["reference"] = news.reference
        message = {"web_push": 8030, "notification": {
            "title": news.title, "body": body, "navigate": f"{base_url}{news.url}", "tag": news.tag,
            "lang": "en-GB", "silent": False, "data": data}}
        return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()

    return _fitted(encode, news.body)


def _fitted(encode: Callable[[str], bytes], body: str) -> bytes:
    data = encode(body)
    while len(data) > MAX_PAYLOAD:
        # Cut at least as many characters as there are excess bytes; multi-byte text converges fast.
        excess = len(data) - MAX_PAYLOAD
        body = body[: max(0, len(body) - excess - len(ELLIPSIS))].rstrip() + ELLIPSIS
        data = encode(body)
    return data


def payload(news: News, base_url: str) -> bytes:
    """The declarative Web Push shape, so Safari can show it without running the service worker.

    `data` also carries what the service worker needs to bring the phone's saved copy of the report
    (My reports, readable with no signal) up to date the way the server would show it: the status's
    name and kind, and whether the body is the officer's public message (the history step's
    message) rather than the status's description. The message itself is the body, not repeated.
    """
    if isinstance(news, AlertNews):
        return alert_payload(news, base_url)
    path = f"/r/{news.reference}"

    def encode(body: str) -> bytes:
        message = {
            "web_push": 8030,
            "notification": {
                "title": f"{spoken(news.reference)}: {news.status_name}" + (f" – {news.place}" if news.place else ""),
                "body": body,
                "navigate": f"{base_url}{path}",
                "tag": f"report-{news.reference}",
                "lang": "en-GB",
                "silent": False,
                "data": {"reference": news.reference, "status": news.status_code, "url": path,
                         "status_name": news.status_name, "status_kind": news.status_kind,
                         "body_is_message": news.text_is_message},
            },
        }
        return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()

    return _fitted(encode, news.text)


def topic(reference: str) -> str:
    """RFC 8030 §5.4: ≤ 32 URL-safe base64 characters; a newer status replaces an undelivered one."""
    return f"report-{reference}"[:32]


def topic_of(news: News) -> str:
    if isinstance(news, AlertNews):
        return re.sub(r"[^A-Za-z0-9_-]", "-", news.tag)[:32]
    return topic(news.reference)


def vapid_subscriber(settings: Settings) -> str:
    """The contact address push services see in the VAPID `sub` claim (webpush adds `mailto:`)."""
    for candidate in (settings.config.vapid_subject, settings.config.mail_from, settings.catalogue.council.email):
        address = parseaddr(candidate.removeprefix("mailto:"))[1]
        if "@" in address:
            return address
        if candidate:
            log.warning("event=vapid_subject_ignored value=%r reason=not_an_email_address", candidate)
    host = urlparse(settings.config.base_url).hostname or "localhost"
    log.warning("event=vapid_subject_missing using=reportit@%s", host)
    return f"reportit@{host}"


class PushEncoder:
    """Encrypts and signs notifications for one VAPID key pair. Safe to share between threads.

    Each message is encrypted for its subscription (RFC 8291: a fresh ECDH key and salt every
    time). The VAPID `Authorization` header is signed once per push service origin and reused for
    an hour: signing one per message (what `WebPush.get()` does, parsing the PEM key each time)
    costs as much as the encryption and tells the push service nothing new.
    """

    def __init__(self, keys: VapidKeys, subscriber: str, base_url: str) -> None:
        self._webpush = WebPush(private_key=keys.private_pem, public_key=keys.public_pem, subscriber=subscriber)
        self.subscriber = subscriber
        self.base_url = base_url
        self._authorizations: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def request(self, news: News, target: Target, *, urgency: str = "normal") -> PushRequest:
        # Validated here, where it is encrypted (a worker process for big batches), so a malformed
        # endpoint fails alone: webpush's model refuses what is not an http(s) URL, and a control
        # character (which HTTP clients may strip, sending to another host) is refused as httpx would.
        subscription = WebPushSubscription(
            endpoint=target.endpoint, keys=WebPushKeys(p256dh=target.p256dh, auth=target.auth)
        )
        if _CONTROL.search(target.endpoint):
            raise httpx.InvalidURL("a control character in the endpoint")
        return PushRequest(
            endpoint=target.endpoint,
            body=self._encrypt(payload(news, self.base_url), target),
            headers={
                "TTL": str(TTL_SECONDS),
                "Urgency": urgency,
                "Topic": topic_of(news),
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
                "Authorization": self._authorization(subscription),
            },
        )

    @staticmethod
    def _encrypt(data: bytes, target: Target) -> bytes:
        """RFC 8291: a fresh P-256 key and salt per message, agreed with the subscription's key and
        auth secret; `http_ece` (its public `encrypt`) does the RFC 8188 aes128gcm record."""
        return http_ece.encrypt(data, private_key=ec.generate_private_key(ec.SECP256R1()),
                                dh=b64decode(target.p256dh), auth_secret=b64decode(target.auth),
                                version="aes128gcm")

    def _authorization(self, subscription: WebPushSubscription) -> str:
        endpoint = subscription.endpoint
        audience = f"{endpoint.scheme}://{endpoint.host}"  # what webpush puts in `aud`
        now = time.monotonic()
        cached = self._authorizations.get(audience)
        if cached is not None and cached[0] > now:
            return cached[1]
        header = self._webpush.vapid.get_authorization_header(
            endpoint=endpoint, subscriber=self.subscriber, expiration=self._webpush.expiration)
        with self._lock:
            self._authorizations[audience] = (now + VAPID_REUSE_SECONDS, header)
        return header


# -- encryption in another process ---------------------------------------------------------------
# The sender runs in the web server's process, where the GIL makes encryption (~130 µs a message,
# all of it holding the GIL) compete with the HTTP requests and the API. Big fan-outs are encrypted
# in a worker process instead, which uses another core while this one sends the previous batch.

_process_encoder: PushEncoder | None = None


def start_encoder_process(private_pem: bytes, public_pem: bytes, subscriber: str, base_url: str) -> None:
    """ProcessPoolExecutor initializer: the worker's own encoder (and its own VAPID header cache)."""
    global _process_encoder
    _process_encoder = PushEncoder(VapidKeys(private_pem, public_pem, ""), subscriber, base_url)


def encode_in_process(items: list[tuple[News, Target]]) -> list[PushRequest | EncodeFailure]:
    assert _process_encoder is not None, "start_encoder_process was not run in this worker"
    return encode_each(_process_encoder, items)
