"""Reading what Open311 callers send: form bodies (urlencoded or multipart), dates and paging."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping
from urllib.parse import parse_qsl

from starlette.datastructures import QueryParams
from starlette.requests import Request

from reportit.open311.render import Open311Error
from reportit.reports.upload import Limits, ParsedForm, parse_multipart
from reportit.reports.upload_budget import Claim
from reportit.settings import Settings

MAX_FORM_BYTES = 256 * 1024
MAX_FORM_FIELDS = 300
MAX_SPAN = timedelta(days=90)
MAX_PAGE_SIZE = 1000
MEDIA_FIELD = "media"  # the v2.1 draft's multipart file field
# An unencoded "+" in a query string arrives as a space: "10:00:00 01:00" meant "10:00:00+01:00".
_SPACE_FOR_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


async def read_form(request: Request, settings: Settings, claim: Claim | None = None) -> ParsedForm:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        limits = Limits(max_files=settings.config.max_photos, max_file_bytes=settings.config.max_photo_bytes, max_fields=MAX_FORM_FIELDS)
        form = await parse_multipart(request, limits, file_field=MEDIA_FIELD, claim=claim)
        refuse_nul(form.nul_fields())
        return form
    if kind not in ("", "application/x-www-form-urlencoded"):
        raise Open311Error(
            400, "Send the request as application/x-www-form-urlencoded, or multipart/form-data with media files."
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise Open311Error(400, f"The request body is larger than {MAX_FORM_BYTES // 1024} KB.")
    try:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise Open311Error(400, f"The request has more than {MAX_FORM_FIELDS} fields.") from None
    form = ParsedForm()
    for name, value in pairs:
        form.fields.setdefault(name, []).append(value)
    refuse_nul(form.nul_fields())
    return form


def parse_w3c(value: str | None, name: str) -> datetime | None:
    """A W3C datetime in UTC; one without a timezone is taken as UTC. Empty means absent, as the spec
    says. One UTC cannot hold (0001-01-01T00:00:00+23:59) is as unreadable as any other."""
    text = (value or "").strip()
    if not text:
        return None
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", text)
    try:
        when = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
        return when.astimezone(timezone.utc) if when.tzinfo else when.replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError):
        raise Open311Error(400, f"{name} must be a W3C datetime, like 2026-11-25T10:00:00Z.") from None


def refuse_nul(names: Iterable[str]) -> None:
    """A NUL character cannot be stored (PostgreSQL) or searched for; name every field that has one."""
    found = sorted(set(names))
    if found:
        raise Open311Error(400, *(f"{name}: contains a hidden control character (NUL); send the text without it."
                                  for name in found))


def nul_params(params: Mapping[str, str] | QueryParams) -> list[str]:
    items = params.multi_items() if isinstance(params, QueryParams) else params.items()
    return [name for name, value in items if "\x00" in name or "\x00" in value]


def date_window(params: Mapping[str, str], now: datetime | None = None) -> tuple[datetime, datetime]:
    """start_date/end_date: the last 90 days by default, and never more than 90 days apart."""
    now = now or datetime.now(timezone.utc)
    start = parse_w3c(params.get("start_date"), "start_date")
    end = parse_w3c(params.get("end_date"), "end_date")
    if start and end:
        if end < start:
            raise Open311Error(400, "end_date is before start_date.")
        if end - start > MAX_SPAN:
            raise Open311Error(400, "start_date and end_date may be at most 90 days apart.")
        return start, end
    try:
        if start:
            return start, start + MAX_SPAN
        if end:
            return end - MAX_SPAN, end
    except OverflowError:
        raise Open311Error(400, "start_date or end_date is too far from today.") from None
    return now - MAX_SPAN, now


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page(params: Mapping[str, str]) -> Page:
    """The common page/page_size extension; without it, the first 1000 the spec allows."""
    number = _positive(params.get("page"), "page", default=1)
    size = _positive(params.get("page_size"), "page_size", default=MAX_PAGE_SIZE)
    if size > MAX_PAGE_SIZE:
        raise Open311Error(400, f"page_size may be at most {MAX_PAGE_SIZE}.")
    return Page(number, size)


def _positive(raw: str | None, name: str, default: int) -> int:
    text = (raw or "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise Open311Error(400, f"{name} must be a whole number of 1 or more.")
    return int(text)


def comma_list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]
