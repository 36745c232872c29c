""""About N a week": what an alert would have brought over the last 90 days, before it is saved.

Applications are counted from what alerts heard of them (`ApplicationNotice`, written by its
handlers), reports from the reports' table (public ones only), each within the radius."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from reportit.alerts.geometry import bounding_box, distance_m
from reportit.alerts.tables import ApplicationNotice
from reportit.reports.tables import Report
from reportit.reports.visibility import public_where

DAYS = 90
WEEKS = DAYS / 7


def _within(rows: list[dict], lat: float, lng: float, radius: int) -> int:
    return sum(1 for r in rows if distance_m(lat, lng, r["latitude"], r["longitude"]) <= radius)


async def estimate(lat: float, lng: float, radius: int, kinds: tuple[str, ...], categories: tuple[str, ...],
                   now: datetime | None = None) -> dict:
    since = (now or datetime.now(timezone.utc)) - timedelta(days=DAYS)
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius)
    counts: dict[str, int] = {}
    n = ApplicationNotice
    box = ((n.latitude >= min_lat) & (n.latitude <= max_lat) & (n.longitude >= min_lng) & (n.longitude <= max_lng)
           & (n.heard_at >= since))
    for kind in kinds:
        if kind in ("planning", "licensing"):
            rows = await n.select(n.latitude, n.longitude).where(box & (n.kind == "received") & (n.regime == kind))
        elif kind == "changes":
            rows = await n.select(n.latitude, n.longitude).where(box & (n.kind == "changed"))
        else:
            query = Report.select(Report.latitude, Report.longitude).where(
                public_where() & (Report.created_at >= since) & (Report.latitude >= min_lat)
                & (Report.latitude <= max_lat) & (Report.longitude >= min_lng) & (Report.longitude <= max_lng))
            if categories:
                query = query.where(Report.category.code.is_in(list(categories)))
            rows = await query
        counts[kind] = _within(rows, lat, lng, radius)
    per_week = sum(counts.values()) / WEEKS
    return {"per_week": round(per_week, 1), "days": DAYS, "counts": counts, "text": in_words(per_week)}


def in_words(per_week: float) -> str:
    """How many, not over when (the answer's `days` says that, and the app's sentence with it):
    "nothing", "less than one a month", "about 2 a month", "about 3 a week"."""
    if per_week == 0:
        return "nothing"
    if per_week < 0.75:
        per_month = per_week * 30 / 7
        return "less than one a month" if per_month < 0.75 else f"about {max(1, round(per_month))} a month"
    return f"about {round(per_week)} a week"
