"""The dashboard: reports per week by group, open cases by status, median times to first response
and to fix, overdue cases per category against SLA days, and a heatmap of the filtered reports.

Tables are the content (readable without JavaScript or colour); the heatmap canvas enhances them.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Count, Min
from piccolo.querystring import QueryString
from starlette.requests import Request
from starlette.responses import Response

from reportit.accounts.identity import StaffMember
from reportit.console.access import CASEWORK, render, staff_only
from reportit.console.caselist import filter_context
from reportit.places.areas import area_names
from reportit.places.hot_spots import hot_spots
from reportit.console.filters import CaseFilter, parse_filter
from reportit.console.queries import category_ids, open_codes, overdue_condition, status_counts, where_for
from reportit.reports.tables import Report, StatusChange
from reportit.settings import Settings
from reportit.app_state import services

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


def _postgres() -> bool:
    return isinstance(Report._meta.db, PostgresEngine)


def _as_datetime(value: datetime | str) -> datetime:
    # SQLite hands aggregates of timestamps back as text; PostgreSQL as datetimes.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


async def weekly_counts(where) -> list[dict]:
    """Reports per (Monday of the UTC week, category), counted by the database."""
    monday = ("date_trunc('week', {} AT TIME ZONE 'UTC')::date" if _postgres()
              else "date({}, 'weekday 0', '-6 days')")  # the next Sunday (or the day itself), back six days
    rows = await (Report.select(QueryString(monday, Report.created_at, alias="week"), Report.category,
                                Count(Report.id, alias="n"))
                  .where(where).group_by(QueryString("week"), Report.category))
    return [{**r, "week": _as_date(r["week"])} for r in rows]


async def first_times(where, condition) -> dict[int, tuple[datetime, datetime]]:
    """(created, first matching change) per report."""
    rows = await (StatusChange.select(StatusChange.report, Min(StatusChange.report.created_at, alias="created"),
                                      Min(StatusChange.created_at, alias="first"))
                  .where(condition & StatusChange.report.is_in(Report.select(Report.id).where(where)))
                  .group_by(StatusChange.report))
    return {r["report"]: (_as_datetime(r["created"]), _as_datetime(r["first"])) for r in rows}


def median_after(times: dict[int, tuple[datetime, datetime]]) -> float | None:
    gaps = [(at - created).total_seconds() for created, at in times.values()]
    return statistics.median(gaps) if gaps else None


async def heatmap_cells(where, bounds: tuple[float, float, float, float]) -> list[list[int]]:
    """[row, col, count] per grid cell with reports, counted by the database. Cells are numbered as
    Python's int() would (truncation; the values are never negative inside the bounds)."""
    south, west, north, east = bounds
    whole = "LEAST(%d, FLOOR({})::integer)" % (GRID - 1) if _postgres() else "MIN(%d, CAST({} AS INTEGER))" % (GRID - 1)
    row = QueryString(whole, QueryString(f"({{}} - {{}}) / {{}} * {GRID}", north, Report.latitude, north - south),
                      alias="cell_row")
    col = QueryString(whole, QueryString(f"({{}} - {{}}) / {{}} * {GRID}", Report.longitude, west, east - west),
                      alias="cell_col")
    inside = (Report.latitude >= south) & (Report.latitude <= north) & (Report.longitude >= west) & (
        Report.longitude <= east)
    rows = await (Report.select(row, col, Count(Report.id, alias="n")).where(where & inside)
                  .group_by(QueryString("cell_row"), QueryString("cell_col")))
    return sorted([r["cell_row"], r["cell_col"], r["n"]] for r in rows)


async def heatmap(where, bounds: tuple[float, float, float, float]) -> dict:
    south, west, north, east = bounds
    cells = await heatmap_cells(where, bounds)
    busiest = sorted(cells, key=lambda cell: -cell[2])[:10]
    step_lat, step_lng = (north - south) / GRID, (east - west) / GRID
    areas = [{"count": n, "bbox": (north - (r + 1) * step_lat, west + c * step_lng, north - r * step_lat,
                                   west + (c + 1) * step_lng)} for r, c, n in busiest]
    return {"grid": GRID, "bounds": list(bounds), "cells": cells, "max": max((n for *_, n in cells), default=0),
            "busiest": areas}


async def dashboard_data(f: CaseFilter, staff: StaffMember, settings: Settings) -> dict:
    ids = await category_ids()
    where = await where_for(f, staff, settings, ids)
    counted = await weekly_counts(where)
    weeks: dict[date, dict[str, int]] = {}
    day = week_start(f.date_from or date.today())
    while day <= (f.date_to or date.today()):
        weeks[day] = {}
        day += timedelta(days=7)
    for r in counted:
        week = weeks.setdefault(r["week"], {})
        group = ids.group_of.get(r["category"], "")
        week[group] = week.get(group, 0) + r["n"]
    fixed = [s.code for s in settings.catalogue.statuses if s.kind == "fixed"]
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
    return {
        "total": sum(r["n"] for r in counted),
        "weeks": sorted(weeks.items()),
        # Signpost categories send the resident to a partner and are never stored as reports, so a
        # group made only of them ("Reported elsewhere") would always count 0: it gets no column.
        "groups": [g for g in settings.catalogue.groups if any(c.group == g.code and c.signpost is None
                                                     for c in settings.catalogue.categories)],
        "open_by_status": [(s, counts.get(s.code, 0)) for s in settings.catalogue.statuses if s.kind == "open"],
        "first_response": duration(median_after(await first_times(where, StatusChange.from_status != ""))),
        "time_to_fix": duration(median_after(await first_times(where, StatusChange.to_status.is_in(fixed)))),
        "sla": [{"category": c, "open": open_n.get(c.code, 0), "overdue": overdue_n.get(c.code, 0)}
                for c in settings.catalogue.categories if c.sla_days],
        "heatmap": await heatmap(where, f.bbox or settings.catalogue.map.bounds),
        **await hot_spots(where),
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
    settings = services(request).settings
    f = parse_filter(request.query_params, settings)
    if f.date_from is None and f.date_to is None:
        f = replace(f, date_from=date.today() - timedelta(weeks=DEFAULT_WEEKS))
    data = await dashboard_data(f, staff, settings)
    return render(request, "dashboard.html", {
        **filter_context(f, settings), **data, "errors": f.errors, "wards": await area_names(),
        "heatmap_json": json.dumps({k: v for k, v in data["heatmap"].items() if k != "busiest"}),
        "weekly_json": weekly_chart_json(data),
    }, staff=staff)
