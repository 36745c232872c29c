"""The console's "Likely duplicates" of a case: other reports near it, in time and space, the same
kind of problem first. Marking one still goes through the console's duplicate rule (which asks
again before merging reports of different categories)."""

from __future__ import annotations

import math
from datetime import timedelta

from reportit.places.geometry import METRES_PER_DEGREE, metres_between
from reportit.places.naming import report_place
from reportit.reports.tables import Report
from reportit.settings import Settings

RADIUS_METRES = 100.0
DAYS = 30
SHOWN = 5


async def likely_duplicates(report: dict, settings: Settings) -> list[dict]:
    if report.get("latitude") is None or report.get("longitude") is None:
        return []
    lat, lng = report["latitude"], report["longitude"]
    dlat = RADIUS_METRES / METRES_PER_DEGREE
    dlng = RADIUS_METRES / (METRES_PER_DEGREE * max(0.01, math.cos(math.radians(lat))))
    created = report["created_at"]
    rows = await (Report.select(Report.reference, Report.category.code.as_alias("category_code"),
                                Report.status, Report.latitude, Report.longitude, Report.street, Report.ward,
                                Report.location_text, Report.created_at)
                  .where((Report.id != report["id"]) & Report.duplicate_of.is_null()
                         & (Report.latitude >= lat - dlat) & (Report.latitude <= lat + dlat)
                         & (Report.longitude >= lng - dlng) & (Report.longitude <= lng + dlng)
                         & (Report.created_at >= created - timedelta(days=DAYS))
                         & (Report.created_at <= created + timedelta(days=DAYS)))
                  .limit(200))
    found = []
    for row in rows:
        metres = metres_between(lat, lng, row["latitude"], row["longitude"])
        if metres > RADIUS_METRES:
            continue
        days = abs((row["created_at"] - created).total_seconds()) / 86400
        same = row["category_code"] == report["category_code"]
        # Same category first; then nearer in space and time (10 m counts like a day).
        found.append(((0 if same else 1, metres / 10 + days), {
            **row, "metres": round(metres), "days": round(days), "same_category": same, "place": report_place(row),
            "category_name": _category_name(settings, row["category_code"])}))
    return [row for _, row in sorted(found, key=lambda pair: pair[0])[:SHOWN]]


def _category_name(settings: Settings, code: str) -> str:
    category = settings.catalogue.category(code)
    return category.name if category else code
