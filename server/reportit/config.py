"""Deployment configuration: where the data lives, which database, the public address, limits,
mail and push. It says nothing about the council (that is `catalogue.Catalogue`).

Each value comes from its `REPORTIT_*` environment variable, else from the TOML file's
`[service]` table, else its default. A value that cannot be used stops the start with a message
naming where it came from: "REPORTIT_MAX_PHOTOS: must be a whole number".
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class ConfigError(ValueError):
    """A deployment value cannot be used; the message names the env var or `[service]` key."""


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    config_path: Path  # the TOML file the catalogue (and any [service] values) came from
    base_url: str = DEFAULT_BASE_URL
    base_url_derived: bool = False  # no REPORTIT_BASE_URL: `reportit serve` uses where it listens
    push_hosts: tuple[str, ...] = ()
    push_ca_file: str = ""  # an extra CA (PEM) for private push services, trusted besides the system's
    # Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed; none by default.
    trusted_proxies: tuple[str, ...] = ()
    # Photos in S3-compatible storage (s3://bucket/prefix) instead of data_dir/photos.
    storage_url: str = ""
    smtp_url: str = ""
    mail_from: str = ""
    vapid_subject: str = ""
    max_photos: int = 5
    max_photo_bytes: int = 15 * 1024 * 1024
    max_photo_pixels: int = 50_000_000
    upload_memory_bytes: int = 256 * 1024 * 1024  # all uploads in flight together: received bytes + decoding
    max_description: int = 4000
    log_level: str = "INFO"
    secure_cookies: bool = False
    device_registrations_per_hour: int = 60  # per client address
    reports_per_hour: int = 300  # per device: a warden's day of queued reports goes through
    sign_in_codes_per_hour: int = 30  # per client address (each address also has its own, smaller limit)
    notification_retention_days: int = 90  # finished outbox rows are deleted after this
    basemap: str = ""  # a PMTiles v3 file of vector tiles, served at /basemap/<version>.pmtiles
    upload_expiry_hours: int = 24  # a photo upload with no byte for this long is abandoned (reports/resumable.py)

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def uploads_dir(self) -> Path:
        """Photos being sent resumably, one `<upload id>.part` each, until complete."""
        return self.data_dir / "uploads"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


# Parsers take the env var's text or the TOML value and raise ValueError with what is wrong.
Parser = Callable[[Any], Any]


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text in quotes")
    return value


def whole_number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError("must be a whole number")


def at_least_one(value: Any) -> int:
    number = whole_number(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    raise ValueError("must be true or false")


def names(value: Any) -> tuple[str, ...]:
    """A comma-separated env var or a TOML list of strings."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError("must be a list of text, or text separated by commas")


def networks(value: Any) -> tuple[str, ...]:
    entries = names(value)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or a network like 10.0.0.0/8") from None
    return entries


def existing_file(value: Any) -> str:
    """Checked at start-up: a missing CA file would otherwise fail every push, one by one."""
    path = text(value)
    if path and not Path(path).is_file():
        raise ValueError(f"{path!r} is not a file")
    return path


def pmtiles_file(value: Any) -> str:
    """Checked at start-up, so a wrong file stops the service instead of drawing no map."""
    from reportit.basemap.file import check

    path = text(value)
    if path:
        check(path)  # NotPMTiles is a ValueError saying what is wrong
    return path


def storage_url(value: Any) -> str:
    url = text(value)
    if url and not re.fullmatch(r"s3://[a-z0-9][a-z0-9.\-]{1,62}(/.*)?", url):
        raise ValueError(f"{url!r} is not like s3://bucket/prefix")
    return url


# Deployment values: (field, env var, parser). The README lists each one.
FIELDS: tuple[tuple[str, str, Parser], ...] = (
    ("base_url", "REPORTIT_BASE_URL", text),
    ("push_hosts", "REPORTIT_PUSH_HOSTS", names),
    ("push_ca_file", "REPORTIT_PUSH_CA_FILE", existing_file),
    ("trusted_proxies", "REPORTIT_TRUSTED_PROXIES", networks),
    ("storage_url", "REPORTIT_STORAGE_URL", storage_url),
    ("smtp_url", "REPORTIT_SMTP_URL", text),
    ("mail_from", "REPORTIT_MAIL_FROM", text),
    ("vapid_subject", "REPORTIT_VAPID_SUBJECT", text),
    ("max_photos", "REPORTIT_MAX_PHOTOS", whole_number),
    ("max_photo_bytes", "REPORTIT_MAX_PHOTO_BYTES", whole_number),
    ("max_photo_pixels", "REPORTIT_MAX_PHOTO_PIXELS", whole_number),
    ("upload_memory_bytes", "REPORTIT_UPLOAD_MEMORY_BYTES", whole_number),
    ("max_description", "REPORTIT_MAX_DESCRIPTION", whole_number),
    ("log_level", "REPORTIT_LOG_LEVEL", text),
    ("secure_cookies", "REPORTIT_SECURE_COOKIES", yes_no),
    ("device_registrations_per_hour", "REPORTIT_DEVICE_REGISTRATIONS_PER_HOUR", whole_number),
    ("reports_per_hour", "REPORTIT_REPORTS_PER_HOUR", whole_number),
    ("sign_in_codes_per_hour", "REPORTIT_SIGN_IN_CODES_PER_HOUR", whole_number),
    ("notification_retention_days", "REPORTIT_NOTIFICATION_RETENTION_DAYS", at_least_one),
    ("basemap", "REPORTIT_BASEMAP", pmtiles_file),
    ("upload_expiry_hours", "REPORTIT_UPLOAD_EXPIRY_HOURS", at_least_one),
)


def load_config(service: Mapping[str, Any], env: Mapping[str, str], *, config_path: Path) -> Config:
    """Env vars over the `[service]` table over the defaults; the data dir and DATABASE_URL too."""
    if not isinstance(service, Mapping):
        raise ConfigError("service: must be a table, written [service]")
    data_dir = Path(env.get("REPORTIT_DATA_DIR", "data")).resolve()
    values: dict[str, Any] = {}
    for name, var, parse in FIELDS:
        source, raw = (var, env[var]) if var in env else (f"[service] {name}", service.get(name))
        if raw is None:
            continue
        try:
            values[name] = parse(raw)
        except ValueError as exc:
            hint = "" if var in env else f" (or set {var})"
            raise ConfigError(f"{source}: {exc}{hint}") from None
    database_url = env.get("DATABASE_URL") or service.get("database_url") or f"sqlite:///{data_dir / 'reportit.sqlite'}"
    if not isinstance(database_url, str):
        raise ConfigError("[service] database_url: must be text in quotes")
    values["base_url_derived"] = "base_url" not in values
    values["base_url"] = values.get("base_url", DEFAULT_BASE_URL).rstrip("/")
    return Config(data_dir=data_dir, database_url=database_url, config_path=config_path, **values)
