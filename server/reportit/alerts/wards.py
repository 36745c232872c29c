"""Alerts for a ward: the ward a resident names (by name or id) as the places domain knows it, the
alerts each ward's news reaches, and "about N a week" for a ward."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from reportit.alerts.estimate import DAYS, WEEKS, in_words
from reportit.alerts.rules import TITLE, WARD_MESSAGE, AlertSpec
from reportit.alerts.tables import ApplicationNotice
from reportit.places.geometry import contains
from reportit.places.tables import Area
from reportit.problems import FieldError, invalid
from reportit.reports.tables import Report
from reportit.reports.visibility import public_where

KIND = "ward"


async def ward_named(raw: str) -> str:
    """The ward's name as the places domain spells it, from its name (any case) or its id; a 422
    naming the `ward` field when there is no such ward (or no wards yet)."""
    text = raw.strip()
    rows = await Area.select(Area.id, Area.name).where(Area.kind == KIND)
    for row in rows:
        if row["name"].lower() == text.lower() or (text.isdigit() and int(text) == row["id"]):
            return row["name"]
    if not rows:
        raise invalid([FieldError("ward", "There are no wards to choose from yet. Choose a place and a distance "
                                  "instead.")], title=TITLE)
    raise invalid([FieldError("ward", f"We don't know a ward called \"{text[:60]}\". {WARD_MESSAGE}")], title=TITLE)


async def resolved(spec: AlertSpec) -> AlertSpec:
    return replace(spec, ward=await ward_named(spec.ward)) if spec.ward else spec


async def estimate_ward(ward: str, kinds: tuple[str, ...], categories: tuple[str, ...],
                        now: datetime | None = None) -> dict:
    """What an alert for this ward would have brought over the last 90 days."""
    since = (now or datetime.now(timezone.utc)) - timedelta(days=DAYS)
    area = await Area.select(Area.polygons, Area.min_lat, Area.max_lat, Area.min_lng, Area.max_lng).where(
        (Area.kind == KIND) & (Area.name == ward)).first()
    counts: dict[str, int] = {}
    if area is None:
        return {"per_week": 0.0, "days": DAYS, "counts": {k: 0 for k in kinds}, "text": in_words(0)}
    polygons = area["polygons"] if isinstance(area["polygons"], list) else json.loads(area["polygons"])
    n = ApplicationNotice
    box = ((n.latitude >= area["min_lat"]) & (n.latitude <= area["max_lat"]) & (n.longitude >= area["min_lng"])
           & (n.longitude <= area["max_lng"]) & (n.heard_at >= since))
    for kind in kinds:
        if kind == "problems":
            query = Report.count().where(public_where() & (Report.created_at >= since) & (Report.ward == ward))
            if categories:
                query = query.where(Report.category.code.is_in(list(categories)))
            counts[kind] = await query
            continue
        where = box & ((n.kind == "received") & (n.regime == kind) if kind in ("planning", "licensing")
                       else (n.kind == "changed"))
        rows = await n.select(n.latitude, n.longitude).where(where)
        counts[kind] = sum(1 for r in rows if contains(polygons, r["latitude"], r["longitude"]))
    per_week = sum(counts.values()) / WEEKS
    return {"per_week": round(per_week, 1), "days": DAYS, "counts": counts, "text": in_words(per_week)}
