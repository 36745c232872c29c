"""What a status notification says, and the encrypted, signed request that carries it.

`webpush` does the RFC 8291 encryption and the RFC 8292 VAPID signature; everything else about the
request (TTL, Urgency, Topic) is set here, because `WebPush.get(ttl=...)` changes the instance it
is called on and would leak one message's settings into the next.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlparse

from webpush import WebPush
from webpush.types import WebPushKeys, WebPushSubscription

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
ELLIPSIS = "…"


@dataclass(frozen=True)
class StatusNews:
    """One public status change, as a follower may see it: never contact details or notes."""

    reference: str
    status_code: str
    status_name: str
    text: str  # the officer's public message, or the status's own description


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


def news_for(settings: Settings, reference: str, status_code: str, public_message: str) -> StatusNews:
    status = settings.status(status_code)
    name = status.name if status else status_code
    text = public_message.strip() or (status.description if status and status.description else name)
    return StatusNews(reference=reference, status_code=status_code, status_name=name, text=text)


def payload(news: StatusNews, base_url: str) -> bytes:
    """The declarative Web Push shape, so Safari can show it without running the service worker."""
    path = f"/r/{news.reference}"

    def encode(body: str) -> bytes:
        message = {
            "web_push": 8030,
            "notification": {
                "title": f"{spoken(news.reference)}: {news.status_name}",
                "body": body,
                "navigate": f"{base_url}{path}",
                "tag": f"report-{news.reference}",
                "lang": "en-GB",
                "silent": False,
                "data": {"reference": news.reference, "status": news.status_code, "url": path},
            },
        }
        return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()

    body = news.text
    data = encode(body)
    while len(data) > MAX_PAYLOAD:
        # Cut at least as many characters as there are excess bytes; multi-byte text converges fast.
        excess = len(data) - MAX_PAYLOAD
        body = body[: max(0, len(body) - excess - len(ELLIPSIS))].rstrip() + ELLIPSIS
        data = encode(body)
    return data


def topic(reference: str) -> str:
    """RFC 8030 §5.4: ≤ 32 URL-safe base64 characters; a newer status replaces an undelivered one."""
    return f"report-{reference}"[:32]


def vapid_subscriber(settings: Settings) -> str:
    """The contact address push services see in the VAPID `sub` claim (webpush adds `mailto:`)."""
    for candidate in (settings.vapid_subject, settings.mail_from, settings.council.email):
        address = parseaddr(candidate.removeprefix("mailto:"))[1]
        if "@" in address:
            return address
        if candidate:
            log.warning("event=vapid_subject_ignored value=%r reason=not_an_email_address", candidate)
    host = urlparse(settings.base_url).hostname or "localhost"
    log.warning("event=vapid_subject_missing using=reportit@%s", host)
    return f"reportit@{host}"


class PushEncoder:
    """Encrypts and signs notifications for one VAPID key pair. Safe to share between threads."""

    def __init__(self, keys: VapidKeys, subscriber: str, base_url: str) -> None:
        self._webpush = WebPush(private_key=keys.private_pem, public_key=keys.public_pem, subscriber=subscriber)
        self.base_url = base_url

    def request(self, news: StatusNews, target: Target, *, urgency: str = "normal") -> PushRequest:
        subscription = WebPushSubscription(
            endpoint=target.endpoint, keys=WebPushKeys(p256dh=target.p256dh, auth=target.auth)
        )
        # Only message and subscription are passed: get() keeps anything else on the instance.
        message = self._webpush.get(payload(news, self.base_url), subscription)
        return PushRequest(
            endpoint=target.endpoint,
            body=message.encrypted,
            headers={
                "TTL": str(TTL_SECONDS),
                "Urgency": urgency,
                "Topic": topic(news.reference),
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
                "Authorization": message.headers["authorization"],
            },
        )
