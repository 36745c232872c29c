"""The dashboard's hot spots in words: the wards and streets with the most reports."""

from __future__ import annotations

from piccolo.query.functions.aggregate import Count

from reportit.reports.tables import Report

TOP = 10


async def hot_spots(where) -> dict:
    """Counted per ward and per street in the database, the top ten picked here (a borough has a
    few dozen wards and a few thousand streets)."""
    wards = await (Report.select(Report.ward, Count(Report.id, alias="n")).where(where & (Report.ward != ""))
                   .group_by(Report.ward))
    streets = await (Report.select(Report.street, Report.ward, Count(Report.id, alias="n"))
                     .where(where & (Report.street != "")).group_by(Report.street, Report.ward))
    top = lambda rows: sorted(rows, key=lambda r: (-r["n"], r.get("street") or r["ward"]))[:TOP]  # noqa: E731
    return {
        "busiest_wards": [{"name": r["ward"], "count": r["n"]} for r in top(wards)],
        "busiest_streets": [{"name": r["street"], "ward": r["ward"], "count": r["n"]} for r in top(streets)],
    }
