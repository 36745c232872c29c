""""Is it one of these?": open, public reports near a point, nearest first, so a resident can follow
one instead of reporting the same pothole again.

The app asks for a whole area once (and keeps it for no signal), then picks the problem's kind: so
an area's answer holds the nearest few of EVERY kind, never the nearest of one kind alone (a street
with fifty graffiti tags must still offer yesterday's pothole)."""

from __future__ import annotations

import math
from datetime import datetime

from reportit.places.geometry import METRES_PER_DEGREE, metres_between
from reportit.places.naming import report_place
from reportit.reports.present import photo_url
from reportit.reports.tables import Photo, Report
from reportit.reports.visibility import public_where
from reportit.settings import Settings

PER_CATEGORY = 10  # the nearest of each kind; with a category asked for, MAX_RESULTS of it
MAX_RESULTS = 50
SCANNED = 2000  # the newest open public reports in the area looked at (a busy city centre's worth)


async def nearby_reports(settings: Settings, latitude: float, longitude: float, radius: float,
                         category: str | None = None) -> list[dict]:
    open_statuses = [s.code for s in settings.catalogue.statuses if s.kind == "open"]
    dlat = radius / METRES_PER_DEGREE
    dlng = radius / (METRES_PER_DEGREE * max(0.01, math.cos(math.radians(latitude))))
    where = (public_where() & Report.status.is_in(open_statuses) & Report.duplicate_of.is_null()
             & (Report.latitude >= latitude - dlat) & (Report.latitude <= latitude + dlat)
             & (Report.longitude >= longitude - dlng) & (Report.longitude <= longitude + dlng))
    if category:
        where &= Report.category.code == category
    rows = await (Report.select(Report.id, Report.reference, Report.category.code.as_alias("category"),
                                Report.status, Report.description, Report.latitude, Report.longitude,
                                Report.location_text, Report.street, Report.ward, Report.created_at)
                  .where(where).order_by(Report.created_at, ascending=False).limit(SCANNED))
    within = sorted(((metres_between(latitude, longitude, row["latitude"], row["longitude"]), row) for row in rows),
                    key=lambda pair: pair[0])
    kept: dict[str, int] = {}
    found = []
    for metres, row in within:
        if metres > radius:
            break
        if kept.get(row["category"], 0) < (MAX_RESULTS if category else PER_CATEGORY):
            kept[row["category"]] = kept.get(row["category"], 0) + 1
            found.append((metres, row))
    photos = await _thumbnails([row["id"] for _, row in found])
    return [_json(settings, metres, row, photos.get(row["id"], [])) for metres, row in found]


async def _thumbnails(report_ids: list[int]) -> dict[int, list[str]]:
    if not report_ids:
        return {}
    rows = await (Photo.select(Photo.report, Photo.thumb_key)
                  .where(Photo.report.is_in(report_ids) & (Photo.hidden == False))  # noqa: E712
                  .order_by(Photo.position))
    photos: dict[int, list[str]] = {}
    for row in rows:
        photos.setdefault(row["report"], []).append(photo_url(row["thumb_key"]))
    return photos


def _json(settings: Settings, metres: float, row: dict, photos: list[str]) -> dict:
    category = settings.catalogue.category(row["category"])
    status = settings.catalogue.status(row["status"])
    created: datetime = row["created_at"]
    return {
        "reference": row["reference"],
        "url": f"{settings.config.base_url}/r/{row['reference']}",
        "category": {"code": row["category"], "name": category.name if category else row["category"]},
        "status": {"code": row["status"], "name": status.name if status else row["status"]},
        "description": row["description"][:280],
        "place": report_place(row),
        "street": row["street"], "ward": row["ward"],
        "latitude": row["latitude"], "longitude": row["longitude"],
        "distance_m": round(metres),
        "photos": photos,
        "created_at": created.isoformat(timespec="seconds"),
    }
