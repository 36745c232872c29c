"""Settings: deployment values from `REPORTIT_*` env vars (and `DATABASE_URL`) over a TOML file.

The TOML file describes the council (name, colours, map, categories, statuses, partners); its
`[service]` table may also hold any deployment value, which the matching env var overrides.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

PACKAGED_EXAMPLE = Path(__file__).with_name("reportit.example.toml")

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
STATUS_KINDS = ("open", "closed", "fixed")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class SettingsError(ValueError):
    """The configuration cannot describe a working service; the message says where."""


@dataclass(frozen=True)
class Choice:
    key: str
    name: str
    blocks: str | None = None  # a notice that stops the form ("Call 999 now")


@dataclass(frozen=True)
class Question:
    """An extra question, in the shape of an Open311 service attribute."""

    code: str
    description: str
    datatype: str = "string"
    required: bool = False
    variable: bool = True  # False: a notice to read, not a question to answer
    order: int = 0
    datatype_description: str = ""
    values: tuple[Choice, ...] = ()

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.values if c.key == key), None)


@dataclass(frozen=True)
class Signpost:
    """A category that sends the resident to a partner instead of a form."""

    partner: str
    message: str
    phone: str = ""
    url: str = ""
    # The partner page's first sentence, written for this problem ("The council does not deal
    # with crime…"): a category's name rarely fits into one fixed sentence.
    summary: str = ""

    def opening(self) -> str:
        return self.summary or f"This is not something the council deals with. {self.partner} can help."


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    private: bool = False  # reports visible only to their reporter and staff
    sla_days: int | None = None
    questions: tuple[Question, ...] = ()
    signpost: Signpost | None = None
    # The category offered when nothing else fits ("Something else"), even when a search finds nothing.
    catch_all: bool = False


@dataclass(frozen=True)
class Group:
    code: str
    name: str


@dataclass(frozen=True)
class Status:
    code: str
    name: str
    kind: str  # open | closed | fixed
    description: str = ""


@dataclass(frozen=True)
class ResponseTemplate:
    """A canned public message for officers; {reference}, {category} and {status} are filled in."""

    code: str
    title: str
    text: str
    status: str | None = None  # the status it suggests, if any
    categories: tuple[str, ...] = ()  # empty: offered for every category

    def render(self, *, reference: str, category: str, status: str) -> str:
        return (self.text.replace("{reference}", reference).replace("{category}", category)
                .replace("{status}", status))


@dataclass(frozen=True)
class Council:
    name: str
    short_name: str = "Report It"
    theme_colour: str = "#1d3557"
    background_colour: str = "#ffffff"
    website: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class MapSettings:
    centre: tuple[float, float]
    # (south, west, north, east): reports must fall inside.
    bounds: tuple[float, float, float, float]
    zoom: int = 15
    tile_url: str = ""
    tile_attribution: str = ""

    def contains(self, lat: float, lng: float) -> bool:
        south, west, north, east = self.bounds
        return south <= lat <= north and west <= lng <= east


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    config_path: Path
    base_url: str
    council: Council
    map: MapSettings
    groups: tuple[Group, ...]
    categories: tuple[Category, ...]
    statuses: tuple[Status, ...]
    initial_status: str = "received"
    push_hosts: tuple[str, ...] = ()
    # An extra CA (PEM file) the sender trusts for private push services, besides the system's.
    push_ca_file: str = ""
    # Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed; none by default.
    trusted_proxies: tuple[str, ...] = ()
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
    base_url_derived: bool = False  # no REPORTIT_BASE_URL: `reportit serve` uses where it listens
    extra: Mapping[str, Any] = field(default_factory=dict)
    response_templates: tuple[ResponseTemplate, ...] = ()

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def status(self, code: str) -> Status | None:
        return next((s for s in self.statuses if s.code == code), None)

    def group(self, code: str) -> Group | None:
        return next((g for g in self.groups if g.code == code), None)


# Deployment values: (field, env var, parser). The README lists each one.
def _bool(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _networks(text: str) -> tuple[str, ...]:
    entries = _csv(text)
    for entry in entries:
        _network(entry)
    return entries


def _existing_file(text: str) -> str:
    """Checked at start-up: a missing CA file would otherwise fail every push, one by one."""
    if text and not Path(text).is_file():
        raise ValueError(f"{text!r} is not a file")
    return text


def _network(entry: str) -> None:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise ValueError(f"{entry!r} is not an IP address or a network like 10.0.0.0/8") from None


SERVICE_FIELDS: tuple[tuple[str, str, Any], ...] = (
    ("base_url", "REPORTIT_BASE_URL", str),
    ("push_hosts", "REPORTIT_PUSH_HOSTS", _csv),
    ("push_ca_file", "REPORTIT_PUSH_CA_FILE", _existing_file),
    ("trusted_proxies", "REPORTIT_TRUSTED_PROXIES", _networks),
    ("smtp_url", "REPORTIT_SMTP_URL", str),
    ("mail_from", "REPORTIT_MAIL_FROM", str),
    ("vapid_subject", "REPORTIT_VAPID_SUBJECT", str),
    ("max_photos", "REPORTIT_MAX_PHOTOS", int),
    ("max_photo_bytes", "REPORTIT_MAX_PHOTO_BYTES", int),
    ("max_photo_pixels", "REPORTIT_MAX_PHOTO_PIXELS", int),
    ("upload_memory_bytes", "REPORTIT_UPLOAD_MEMORY_BYTES", int),
    ("max_description", "REPORTIT_MAX_DESCRIPTION", int),
    ("log_level", "REPORTIT_LOG_LEVEL", str),
    ("secure_cookies", "REPORTIT_SECURE_COOKIES", _bool),
    ("device_registrations_per_hour", "REPORTIT_DEVICE_REGISTRATIONS_PER_HOUR", int),
    ("reports_per_hour", "REPORTIT_REPORTS_PER_HOUR", int),
    ("sign_in_codes_per_hour", "REPORTIT_SIGN_IN_CODES_PER_HOUR", int),
    ("notification_retention_days", "REPORTIT_NOTIFICATION_RETENTION_DAYS", int),
)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get("REPORTIT_DATA_DIR", "data")).resolve()
    config_path = _config_path(env)
    with config_path.open("rb") as f:
        try:
            config = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{config_path}: {exc}") from exc

    service = dict(config.get("service", {}))
    values: dict[str, Any] = {}
    for name, var, parse in SERVICE_FIELDS:
        try:
            if var in env:
                values[name] = parse(env[var])
            elif name in service:
                raw = service[name]
                values[name] = parse(raw) if isinstance(raw, str) else (tuple(raw) if isinstance(raw, list) else raw)
        except ValueError as exc:
            raise SettingsError(f"{var} (service.{name}): {exc}") from exc
    if values.get("notification_retention_days", 1) < 1:
        raise SettingsError("REPORTIT_NOTIFICATION_RETENTION_DAYS must be at least 1")

    database_url = env.get("DATABASE_URL") or service.get("database_url") or f"sqlite:///{data_dir / 'reportit.sqlite'}"
    map_settings = _map(config.get("map", {}), env)
    values["base_url_derived"] = "base_url" not in values
    values.setdefault("base_url", DEFAULT_BASE_URL)
    values["base_url"] = values["base_url"].rstrip("/")

    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        config_path=config_path,
        council=Council(**config.get("council", {"name": "Report It"})),
        map=map_settings,
        groups=tuple(Group(**g) for g in config.get("groups", [])),
        categories=tuple(_category(c) for c in config.get("categories", [])),
        statuses=tuple(Status(**s) for s in config.get("statuses", [])),
        initial_status=config.get("initial_status", "received"),
        response_templates=tuple(
            ResponseTemplate(**{**t, "categories": tuple(t.get("categories", ()))})
            for t in config.get("response_templates", [])
        ),
        **values,
    )
    _check(settings)
    return settings


def _config_path(env: Mapping[str, str]) -> Path:
    if "REPORTIT_CONFIG" in env:
        path = Path(env["REPORTIT_CONFIG"])
        if not path.is_file():
            raise SettingsError(f"REPORTIT_CONFIG names {path}, which is not a file")
        return path
    local = Path("reportit.toml")
    return local if local.is_file() else PACKAGED_EXAMPLE


def _map(raw: Mapping[str, Any], env: Mapping[str, str]) -> MapSettings:
    try:
        centre = tuple(float(x) for x in raw["centre"])
        bounds = tuple(float(x) for x in raw["bounds"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SettingsError("[map] needs centre = [lat, lng] and bounds = [south, west, north, east]") from exc
    return MapSettings(
        centre=centre,  # type: ignore[arg-type]
        bounds=bounds,  # type: ignore[arg-type]
        zoom=int(raw.get("zoom", 15)),
        tile_url=env.get("REPORTIT_TILE_URL", raw.get("tile_url", "")),
        tile_attribution=raw.get("tile_attribution", ""),
    )


def _category(raw: Mapping[str, Any]) -> Category:
    raw = dict(raw)
    questions = tuple(
        Question(
            **{k: v for k, v in q.items() if k != "values"},
            values=tuple(Choice(**v) for v in q.get("values", [])),
        )
        for q in raw.pop("questions", [])
    )
    signpost = Signpost(**raw.pop("signpost")) if "signpost" in raw else None
    keywords = tuple(raw.pop("keywords", ()))
    return Category(**raw, keywords=keywords, questions=questions, signpost=signpost)


def _check(settings: Settings) -> None:
    groups = {g.code for g in settings.groups}
    seen: set[str] = set()
    for category in settings.categories:
        if category.code in seen:
            raise SettingsError(f"category {category.code!r} is listed twice")
        seen.add(category.code)
        if category.group not in groups:
            raise SettingsError(f"category {category.code!r} names unknown group {category.group!r}")
        for question in category.questions:
            if question.datatype not in DATATYPES:
                raise SettingsError(f"{category.code}.{question.code}: datatype must be one of {DATATYPES}")
            if question.datatype.endswith("list") and not question.values:
                raise SettingsError(f"{category.code}.{question.code}: a list question needs values")
        if category.catch_all and category.signpost:
            raise SettingsError(f"category {category.code!r}: a catch_all category cannot be a signpost")
    if sum(c.catch_all for c in settings.categories) > 1:
        raise SettingsError("only one category may have catch_all = true")
    for status in settings.statuses:
        if status.kind not in STATUS_KINDS:
            raise SettingsError(f"status {status.code!r}: kind must be one of {STATUS_KINDS}")
    for template in settings.response_templates:
        if template.status and not settings.status(template.status):
            raise SettingsError(f"response template {template.code!r} names unknown status {template.status!r}")
        for code in template.categories:
            if not settings.category(code):
                raise SettingsError(f"response template {template.code!r} names unknown category {code!r}")
    for entry in settings.trusted_proxies:  # a TOML list arrives unparsed
        try:
            _network(str(entry))
        except ValueError as exc:
            raise SettingsError(f"REPORTIT_TRUSTED_PROXIES (service.trusted_proxies): {exc}") from None
    if not settings.status(settings.initial_status):
        raise SettingsError(f"initial_status {settings.initial_status!r} is not a listed status")
