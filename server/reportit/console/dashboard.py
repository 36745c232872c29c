"""The dashboard: reports per week by group, open cases by status, median times to first response
and to fix, overdue cases per category against SLA days, and a heatmap of the filtered reports.

Tables are the content (readable without JavaScript or colour); the heatmap canvas enhances them.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from piccolo.query.functions.aggregate import Count, Min
from starlette.requests import Request
from starlette.responses import Response

from reportit.accounts.identity import StaffMember
from reportit.console.access import CASEWORK, render, staff_only
from reportit.console.caselist import filter_context
from reportit.console.filters import CaseFilter, parse_filter
from reportit.console.queries import category_ids, open_codes, overdue_condition, status_counts, where_for
from reportit.reports.tables import Report, StatusChange
from reportit.settings import Settings

DEFAULT_WEEKS = 12
GRID = 24  # heatmap cells per side


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "No data yet"
    hours = seconds / 3600
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


async def first_times(where, condition) -> dict[int, datetime]:
    rows = await (StatusChange.select(StatusChange.report, Min(StatusChange.created_at, alias="first"))
                  .where(condition & StatusChange.report.is_in(Report.select(Report.id).where(where)))
                  .group_by(StatusChange.report))
    # SQLite hands aggregates of timestamps back as text; PostgreSQL as datetimes.
    return {r["report"]: datetime.fromisoformat(r["first"]) if isinstance(r["first"], str) else r["first"]
            for r in rows}


def median_after(created: dict[int, datetime], firsts: dict[int, datetime]) -> float | None:
    gaps = [(at - created[rid]).total_seconds() for rid, at in firsts.items() if rid in created]
    return statistics.median(gaps) if gaps else None


def heatmap(points: list[tuple[float, float]], bounds: tuple[float, float, float, float]) -> dict:
    south, west, north, east = bounds
    counts: dict[tuple[int, int], int] = {}
    for lat, lng in points:
        if south <= lat <= north and west <= lng <= east:
            row = min(GRID - 1, int((north - lat) / (north - south) * GRID))
            col = min(GRID - 1, int((lng - west) / (east - west) * GRID))
            counts[(row, col)] = counts.get((row, col), 0) + 1
    cells = [[r, c, n] for (r, c), n in sorted(counts.items())]
    busiest = sorted(cells, key=lambda cell: -cell[2])[:10]
    step_lat, step_lng = (north - south) / GRID, (east - west) / GRID
    areas = [{"count": n, "bbox": (north - (r + 1) * step_lat, west + c * step_lng, north - r * step_lat,
                                   west + (c + 1) * step_lng)} for r, c, n in busiest]
    return {"grid": GRID, "bounds": list(bounds), "cells": cells, "max": max((n for *_, n in cells), default=0),
            "busiest": areas}


async def dashboard_data(f: CaseFilter, staff: StaffMember, settings: Settings) -> dict:
    ids = await category_ids()
    where = await where_for(f, staff, settings, ids)
    rows = await Report.select(Report.id, Report.created_at, Report.category, Report.latitude,
                               Report.longitude).where(where)
    created = {r["id"]: r["created_at"] for r in rows}
    weeks: dict[date, dict[str, int]] = {}
    day = week_start(f.date_from or date.today())
    while day <= (f.date_to or date.today()):
        weeks[day] = {}
        day += timedelta(days=7)
    for r in rows:
        week = weeks.setdefault(week_start(r["created_at"].date()), {})
        group = ids.group_of.get(r["category"], "")
        week[group] = week.get(group, 0) + 1
    fixed = [s.code for s in settings.statuses if s.kind == "fixed"]
    counts = await status_counts(f, staff, settings, ids)
    now = datetime.now(timezone.utc)
    undated = replace(f, date_from=None, date_to=None, statuses=())
    base = await where_for(undated, staff, settings, ids)
    open_by_category = await (Report.select(Report.category, Count(Report.id, alias="n"))
                              .where(base & Report.status.is_in(open_codes(settings))).group_by(Report.category))
    overdue = overdue_condition(settings, ids, now)
    overdue_by_category = await (Report.select(Report.category, Count(Report.id, alias="n"))
                                 .where(base & overdue).group_by(Report.category)) if overdue is not None else []
    open_n = {ids.code_of.get(r["category"]): r["n"] for r in open_by_category}
    overdue_n = {ids.code_of.get(r["category"]): r["n"] for r in overdue_by_category}
    points = [(r["latitude"], r["longitude"]) for r in rows if r["latitude"] is not None and r["longitude"] is not None]
    return {
        "total": len(rows),
        "weeks": sorted(weeks.items()),
        # Signpost categories send the resident to a partner and are never stored as reports, so a
        # group made only of them ("Reported elsewhere") would always count 0: it gets no column.
        "groups": [g for g in settings.groups if any(c.group == g.code and c.signpost is None
                                                     for c in settings.categories)],
        "open_by_status": [(s, counts.get(s.code, 0)) for s in settings.statuses if s.kind == "open"],
        "first_response": duration(median_after(created, await first_times(where, StatusChange.from_status != ""))),
        "time_to_fix": duration(median_after(created, await first_times(where, StatusChange.to_status.is_in(fixed)))),
        "sla": [{"category": c, "open": open_n.get(c.code, 0), "overdue": overdue_n.get(c.code, 0)}
                for c in settings.categories if c.sla_days],
        "heatmap": heatmap(points, f.bbox or settings.map.bounds),
    }


def weekly_chart_json(data: dict) -> str:
    """The weekly table's figures for the chart: week starts as Unix seconds (UTC), one series per group."""
    weeks = [week for week, _ in data["weeks"]]
    return json.dumps({
        "weeks": [int(datetime(w.year, w.month, w.day, tzinfo=timezone.utc).timestamp()) for w in weeks],
        "series": [{"name": g.name, "counts": [counts.get(g.code, 0) for _, counts in data["weeks"]]}
                   for g in data["groups"]],
    })


@staff_only(*CASEWORK)
async def dashboard(request: Request, staff: StaffMember) -> Response:
    settings = request.app.state.settings
    f = parse_filter(request.query_params, settings)
    if f.date_from is None and f.date_to is None:
        f = replace(f, date_from=date.today() - timedelta(weeks=DEFAULT_WEEKS))
    data = await dashboard_data(f, staff, settings)
    return render(request, "dashboard.html", {
        **filter_context(f, settings), **data, "errors": f.errors,
        "heatmap_json": json.dumps({k: v for k, v in data["heatmap"].items() if k != "busiest"}),
        "weekly_json": weekly_chart_json(data),
    }, staff=staff)
