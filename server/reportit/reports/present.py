"""What a report looks like from outside: public JSON, and the reporter's own view of it."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from reportit.places.naming import place_words
from reportit.reports.visibility import is_public
from reportit.reports.references import spoken
from reportit.reports.tables import Photo, Report, StatusChange
from reportit.settings import Settings


@dataclass(frozen=True)
class ReportView:
    """A report with everything needed to show it."""

    report: dict
    category_code: str
    photos: list[dict]
    history: list[dict]


async def load_views(where) -> list[ReportView]:
    """The reports matching `where` (newest first), each with photos and history: three queries."""
    reports = await (
        Report.select(*Report.all_columns(), Report.category.code.as_alias("category_code"),
                      Report.duplicate_of.reference.as_alias("original_reference"),
                      Report.duplicate_of.private.as_alias("original_private"),
                      Report.duplicate_of.hidden.as_alias("original_hidden"))
        .where(where)
        .order_by(Report.created_at, ascending=False)
    )
    if not reports:
        return []
    ids = [r["id"] for r in reports]
    photos = await (
        Photo.select(Photo.report, Photo.key, Photo.thumb_key, Photo.width, Photo.height, Photo.hidden)
        .where(Photo.report.is_in(ids))
        .order_by(Photo.position)
    )
    history = await (
        StatusChange.select(
            StatusChange.report, StatusChange.from_status, StatusChange.to_status,
            StatusChange.public_message, StatusChange.created_at,
        )
        .where(StatusChange.report.is_in(ids))
        .order_by(StatusChange.created_at)
        .order_by(StatusChange.id)
    )
    photos_of: dict[int, list[dict]] = defaultdict(list)
    history_of: dict[int, list[dict]] = defaultdict(list)
    for photo in photos:
        photos_of[photo["report"]].append(photo)
    for step in history:
        history_of[step["report"]].append(step)
    return [ReportView(r, r["category_code"], photos_of[r["id"]], history_of[r["id"]]) for r in reports]


async def load_view(reference: str) -> ReportView | None:
    views = await load_views(Report.reference == reference)
    return views[0] if views else None


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def photo_url(key: str) -> str:
    return f"/media/{key}.jpg"


def report_json(view: ReportView, settings: Settings, *, for_reporter: bool = False) -> dict:
    """The public shape of a report; the reporter (and staff) also see their private details."""
    r = view.report
    category = settings.catalogue.category(view.category_code)
    status = settings.catalogue.status(r["status"])
    body: dict = {
        "reference": r["reference"],
        "reference_spoken": spoken(r["reference"]),
        "url": f"{settings.config.base_url}/r/{r['reference']}",
        "category": {"code": view.category_code, "name": category.name if category else view.category_code},
        "status": {"code": r["status"], "name": status.name if status else r["status"],
                   "kind": status.kind if status else "open"},
        "description": r["description"],
        "answers": r["answers"] if isinstance(r["answers"], dict) else _json(r["answers"]),
        "location": {
            "latitude": r["latitude"],
            "longitude": r["longitude"],
            "accuracy": r["location_accuracy"],
            "source": r["location_source"],
            "description": r["location_text"],
            "usrn": r.get("usrn") or None,
            "street": r.get("street") or None,
            "ward": r.get("ward") or None,
            "words": place_words(r.get("street") or "", r.get("ward") or ""),
        },
        "photos": [
            {"url": photo_url(p["key"]), "thumbnail_url": photo_url(p["thumb_key"]),
             "width": p["width"], "height": p["height"]}
            for p in view.photos
            if not p["hidden"]
        ],
        "history": [
            {
                "status": h["to_status"],
                "status_name": _status_name(settings, h["to_status"]),
                "message": h["public_message"],
                "at": iso(h["created_at"]),
            }
            for h in view.history
        ],
        "private": r["private"],
        "duplicate_of": _original(r, settings),
        "created_at": iso(r["created_at"]),
        "updated_at": iso(r["updated_at"]),
    }
    if for_reporter:
        body["contact"] = {"name": r["contact_name"], "email": r["contact_email"], "phone": r["contact_phone"]}
        body["observed_at"] = iso(r["observed_at"])
    return body


def _original(r: dict, settings: Settings) -> dict | None:
    """The report this one duplicates, if anyone may see it: a private or hidden original stays unnamed."""
    reference = r.get("original_reference")
    if not reference or not is_public(r, prefix="original_"):
        return None
    return {"reference": reference, "reference_spoken": spoken(reference), "url": f"{settings.config.base_url}/r/{reference}"}


def _status_name(settings: Settings, code: str) -> str:
    status = settings.catalogue.status(code)
    return status.name if status else code


def _json(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
