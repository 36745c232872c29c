"""Storing a browser's push subscription, after checking it points at a real push service.

The server will later POST to whatever endpoint is stored, so only https URLs on the push
services browsers use are accepted (plus REPORTIT_PUSH_HOSTS): anything else would let a caller
make the server send requests into its own network (SSRF).
"""

from __future__ import annotations

import binascii
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from reportit import database
from reportit.problems import FieldError, invalid
from reportit.push import base64url
from reportit.push.tables import PushSubscription
from reportit.settings import Settings

EXACT_HOSTS = {"fcm.googleapis.com", "updates.push.services.mozilla.com"}
HOST_SUFFIXES = (".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com")
MAX_ENDPOINT = 1024
# A browser has one subscription per app; a handful covers a device whose browser re-subscribed
# (new key, cleared storage). Beyond that the oldest is replaced, so one device registering
# endpoint after endpoint cannot multiply the pushes every status change queues.
MAX_PER_DEVICE = 5
TITLE = "We can't send notifications to this browser"


@dataclass(frozen=True)
class NewSubscription:
    endpoint: str
    p256dh: str
    auth: str
    expires_at: datetime | None


# The authority part of an endpoint, strictly: a lower-case ASCII host name (browsers give IDNA
# names already in punycode) and an optional port. No userinfo, no percent-escapes, no brackets.
AUTHORITY = re.compile(r"(?P<host>[a-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?")
LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# A percent-escape in the path or query (WNS tokens carry %2b, %2f and %3d) must be well formed.
ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def endpoint_problem(endpoint: str, settings: Settings) -> str | None:
    """Why this endpoint is refused, in words for the app's developer; None when it is fine.

    Parsed strictly, by rule rather than by urlsplit's leniency: URL parsers disagree about
    control characters, whitespace, backslashes and escapes in the host (one strips a tab another
    refuses), so anything they might disagree on is refused before any parsing is trusted.
    """
    if len(endpoint) > MAX_ENDPOINT:
        return "The push endpoint is too long."
    if any(not ("\x21" <= c <= "\x7e") for c in endpoint):
        return "The push endpoint may not contain spaces, control characters or non-ASCII characters."
    if "\\" in endpoint:
        return "The push endpoint may not contain a backslash."
    scheme, sep, rest = endpoint.partition("://")
    if not sep or scheme not in ("https", "http"):
        return "The push endpoint must use https."
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    tail = rest[len(authority):]
    if "@" in authority:
        return "The push endpoint may not contain a user name or password."
    if "%" in authority:
        return "The push endpoint's host may not contain percent-escapes."
    match = AUTHORITY.fullmatch(authority.lower())
    if match is None:
        return "The push endpoint's host must be a plain host name (letters, digits, dots and hyphens)."
    host, port_text = match["host"], match["port"]
    if not all(LABEL.fullmatch(label) for label in host.split(".")):
        return "The push endpoint's host name is not valid."
    port = int(port_text) if port_text is not None else None
    if port is not None and not 0 < port < 65536:
        return "The push endpoint's port is not valid."
    if "#" in tail:
        return "The push endpoint may not have a fragment (#)."
    for escape in re.finditer("%", tail):
        found = ESCAPE.match(tail, escape.start())
        if found is None or not 0x21 <= int(found[1], 16) <= 0x7E or found[1] in ("25", "5c", "5C"):
            return "The push endpoint contains a percent-escape that is not allowed."
    try:  # the parser the sender will use must agree about where the request goes
        url = httpx.URL(endpoint)
    except (httpx.InvalidURL, ValueError):
        return "The push endpoint is not a valid URL."
    default_port = {"https": 443, "http": 80}[scheme]
    if (url.scheme != scheme or url.raw_host != host.encode("ascii") or url.userinfo
            or (url.port or default_port) != (port or default_port)):
        return "The push endpoint is not a valid URL."
    if (host, port) in _extra_hosts(settings):
        if scheme == "https" or (scheme == "http" and host == "127.0.0.1"):
            return None
        return "The push endpoint must use https."
    if scheme != "https":
        return "The push endpoint must use https."
    if _is_ip(host) or port not in (None, 443):
        return "The push endpoint is not on a push service we know."
    if host in EXACT_HOSTS or host.endswith(HOST_SUFFIXES):
        return None
    return "The push endpoint is not on a push service we know."


def _extra_hosts(settings: Settings) -> set[tuple[str, int | None]]:
    allowed = set()
    for entry in settings.config.push_hosts:
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
        raw = base64url.decode(value)
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
                else:
                    await PushSubscription.insert(PushSubscription(
                        endpoint=new.endpoint, created_at=now, **{c._meta.name: v for c, v in values.items()}))
                await _keep_newest(device_id)
                return not existing
        except database.UNIQUE_VIOLATIONS:
            if attempt:  # the same browser sent it twice at once: the second pass updates
                raise
    raise AssertionError("unreachable")


async def _keep_newest(device_id: int) -> None:
    """Replace the oldest: keep the device's MAX_PER_DEVICE most recently sent subscriptions."""
    rows = await PushSubscription.select(PushSubscription.id).where(PushSubscription.device == device_id).order_by(
        PushSubscription.updated_at, PushSubscription.id, ascending=False)
    if len(rows) > MAX_PER_DEVICE:
        await PushSubscription.delete().where(PushSubscription.id.is_in([r["id"] for r in rows[MAX_PER_DEVICE:]]))


async def remove(device_id: int, endpoint: str) -> None:
    await PushSubscription.delete().where(
        (PushSubscription.device == device_id) & (PushSubscription.endpoint == endpoint))
