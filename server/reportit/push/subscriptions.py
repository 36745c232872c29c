"""Storing a browser's push subscription, after checking it points at a real push service.

The server will later POST to whatever endpoint is stored, so only https URLs on the push
services browsers use are accepted (plus REPORTIT_PUSH_HOSTS): anything else would let a caller
make the server send requests into its own network (SSRF).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from reportit import database
from reportit.problems import FieldError, invalid
from reportit.push.tables import PushSubscription
from reportit.settings import Settings

EXACT_HOSTS = {"fcm.googleapis.com", "updates.push.services.mozilla.com"}
HOST_SUFFIXES = (".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com")
MAX_ENDPOINT = 1024
TITLE = "We can't send notifications to this browser"


@dataclass(frozen=True)
class NewSubscription:
    endpoint: str
    p256dh: str
    auth: str
    expires_at: datetime | None


def endpoint_problem(endpoint: str, settings: Settings) -> str | None:
    """Why this endpoint is refused, in words for the app's developer; None when it is fine."""
    if len(endpoint) > MAX_ENDPOINT:
        return "The push endpoint is too long."
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "The push endpoint is not a valid URL."
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None or "\\" in endpoint or not host:
        return "The push endpoint is not a valid URL."
    if (host, port) in _extra_hosts(settings):
        if parts.scheme == "https" or (parts.scheme == "http" and host == "127.0.0.1"):
            return None
        return "The push endpoint must use https."
    if parts.scheme != "https":
        return "The push endpoint must use https."
    if _is_ip(host) or port not in (None, 443):
        return "The push endpoint is not on a push service we know."
    if host in EXACT_HOSTS or (host.endswith(HOST_SUFFIXES) and ".." not in host and not host.startswith(".")):
        return None
    return "The push endpoint is not on a push service we know."


def _extra_hosts(settings: Settings) -> set[tuple[str, int | None]]:
    allowed = set()
    for entry in settings.push_hosts:
        host, _, port = entry.strip().lower().rpartition(":") if ":" in entry else (entry.strip().lower(), "", "")
        allowed.add((host, int(port) if port.isdigit() else None))
    return allowed


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _key(value: Any, length: int) -> bytes | None:
    if not isinstance(value, str) or len(value) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == length else None


def parse(body: Any, settings: Settings) -> NewSubscription:
    """PushSubscription.toJSON() in; a checked subscription out, or a 422 listing what is wrong."""
    if not isinstance(body, dict):
        raise invalid([FieldError("endpoint", "Send the subscription as JSON, as PushSubscription.toJSON() gives it.")],
                      title=TITLE)
    errors = []
    endpoint = body.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        errors.append(FieldError("endpoint", "The subscription has no endpoint."))
    elif (reason := endpoint_problem(endpoint, settings)) is not None:
        errors.append(FieldError("endpoint", reason))
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    p256dh = _key(keys.get("p256dh"), 65)
    if p256dh is None or not _on_curve(p256dh):
        errors.append(FieldError("keys.p256dh", "The p256dh key must be a P-256 public key (65 bytes, base64url)."))
    if _key(keys.get("auth"), 16) is None:
        errors.append(FieldError("keys.auth", "The auth secret must be 16 bytes, base64url."))
    expiration = body.get("expirationTime")
    if expiration is not None and (not isinstance(expiration, (int, float)) or isinstance(expiration, bool)):
        errors.append(FieldError("expirationTime", "expirationTime must be a number of milliseconds or null."))
    if errors:
        raise invalid(errors, title=TITLE)
    expires_at = datetime.fromtimestamp(expiration / 1000, timezone.utc) if expiration else None
    return NewSubscription(endpoint, keys["p256dh"], keys["auth"], expires_at)


def _on_curve(point: bytes) -> bool:
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return False
    return True


async def save(device_id: int, new: NewSubscription) -> bool:
    """Store or refresh the subscription for this device; True when it is new.

    An endpoint is a secret only its browser knows, so a known endpoint sent by another device
    (the app's storage was cleared and it registered again) moves to that device.
    """
    now = datetime.now(timezone.utc)
    values = {PushSubscription.device: device_id, PushSubscription.p256dh: new.p256dh,
              PushSubscription.auth: new.auth, PushSubscription.expires_at: new.expires_at,
              PushSubscription.updated_at: now, PushSubscription.failure_count: 0}
    for attempt in range(2):
        try:
            async with database.write_transaction(PushSubscription._meta.db):
                existing = await PushSubscription.select(PushSubscription.id).where(
                    PushSubscription.endpoint == new.endpoint).first()
                if existing:
                    await PushSubscription.update(values).where(PushSubscription.id == existing["id"])
                    return False
                await PushSubscription.insert(PushSubscription(
                    endpoint=new.endpoint, created_at=now, **{c._meta.name: v for c, v in values.items()}))
                return True
        except database.UNIQUE_VIOLATIONS:
            if attempt:  # the same browser sent it twice at once: the second pass updates
                raise
    raise AssertionError("unreachable")


async def remove(device_id: int, endpoint: str) -> None:
    await PushSubscription.delete().where(
        (PushSubscription.device == device_id) & (PushSubscription.endpoint == endpoint))
