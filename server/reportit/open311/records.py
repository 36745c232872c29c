"""Service requests as Open311 shows them: public reports only, with no reporter details at all.

Every field comes from an explicit list of columns, so a contact detail cannot slip out by accident.
"""

from __future__ import annotations

from datetime import datetime

from piccolo.custom_types import Combinable

from reportit.open311.render import w3c
from reportit.open311.statuses import open311_status
from reportit.open311.tables import MediaLink
from reportit.places.naming import address_line
from reportit.reports.present import photo_url
from reportit.reports.tables import Photo, Report, StatusChange
from reportit.reports.visibility import public_where
from reportit.settings import Settings

PUBLIC = public_where()
COLUMNS = (
    Report.id, Report.reference, Report.status, Report.description, Report.latitude, Report.longitude,
    Report.location_text, Report.street, Report.ward, Report.created_at, Report.updated_at, Report.category.code.as_alias("service_code"),
)


async def public_requests(
    where: Combinable | None, settings: Settings, *, limit: int, offset: int = 0
) -> list[dict]:
    query = Report.select(*COLUMNS).where(PUBLIC if where is None else PUBLIC & where)
    newest_first = query.order_by(Report.created_at, ascending=False).order_by(Report.id, ascending=False)
    rows = await newest_first.limit(limit).offset(offset)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    notes = await _latest_notes(ids)
    media = await _media_urls(ids, settings)
    return [_record(row, notes.get(row["id"]), media.get(row["id"]), settings) for row in rows]


async def _latest_notes(ids: list[int]) -> dict[int, str]:
    """The latest public message per report: internal notes are never selected."""
    rows = await (
        StatusChange.select(StatusChange.report, StatusChange.public_message)
        .where(StatusChange.report.is_in(ids) & (StatusChange.public_message != ""))
        .order_by(StatusChange.created_at)
        .order_by(StatusChange.id)
    )
    return {row["report"]: row["public_message"] for row in rows}


async def _media_urls(ids: list[int], settings: Settings) -> dict[int, str]:
    """One media_url per request, as the spec has one field: our own first photo, else the first link sent."""
    urls: dict[int, str] = {}
    photos = await (
        Photo.select(Photo.report, Photo.key)
        .where(Photo.report.is_in(ids) & (Photo.hidden == False))  # noqa: E712
        .order_by(Photo.position, ascending=False)
    )
    for row in photos:  # descending, so the lowest position is written last and wins
        urls[row["report"]] = settings.config.base_url + photo_url(row["key"])
    links = await MediaLink.select(MediaLink.report, MediaLink.url).where(MediaLink.report.is_in(ids)).order_by(
        MediaLink.position, ascending=False
    )
    first_links = {row["report"]: row["url"] for row in links}
    return {report: urls.get(report) or first_links[report] for report in {*urls, *first_links}}


def _record(row: dict, note: str | None, media_url: str | None, settings: Settings) -> dict:
    category = settings.catalogue.category(row["service_code"])
    return {
        "service_request_id": row["reference"],
        "status": open311_status(settings, row["status"]),
        "status_notes": note,
        "service_name": category.name if category else row["service_code"],
        "service_code": row["service_code"],
        "description": row["description"],
        "agency_responsible": settings.catalogue.council.name,
        "service_notice": None,
        "requested_datetime": w3c(row["created_at"]),
        "updated_datetime": w3c(row["updated_at"]),
        "expected_datetime": None,
        "address": address_line(row) or None,
        "address_id": None,
        "zipcode": None,
        "lat": row["latitude"],
        "long": row["longitude"],
        "media_url": media_url,
    }


def window(start: datetime, end: datetime) -> Combinable:
    return (Report.created_at >= start) & (Report.created_at <= end)
