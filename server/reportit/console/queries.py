"""Case list queries. Filters resolve to indexed columns (category ids rather than a join on the
category table), so the list, its count and its status counts stay fast at 100,000 reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone
from functools import reduce

from piccolo.columns.combination import Combinable, WhereRaw
from piccolo.query.functions.aggregate import Count

from reportit.accounts.identity import StaffMember
from reportit.console.filters import PAGE_SIZE, CaseFilter
from reportit.reports.tables import Category, Report
from reportit.settings import Settings

SORT_COLUMNS = {"created": Report.created_at, "updated": Report.updated_at, "status": Report.status,
                "reference": Report.reference}
MAP_LIMIT = 5000
_HAS_WORD = re.compile(r"[^\W_]")  # a letter or digit


@dataclass(frozen=True)
class CategoryIds:
    by_code: dict[str, int]
    code_of: dict[int, str]
    group_of: dict[int, str]


async def category_ids() -> CategoryIds:
    rows = await Category.select(Category.id, Category.code, Category.group_code)
    return CategoryIds({r["code"]: r["id"] for r in rows}, {r["id"]: r["code"] for r in rows},
                       {r["id"]: r["group_code"] for r in rows})


def open_codes(settings: Settings) -> list[str]:
    return [s.code for s in settings.catalogue.statuses if s.kind == "open"]


def overdue_condition(settings: Settings, ids: CategoryIds, now: datetime) -> Combinable | None:
    """Open reports older than their category's SLA days; None when no category has an SLA."""
    parts = [
        (Report.category == ids.by_code[c.code]) & (Report.created_at < now - timedelta(days=c.sla_days))
        for c in settings.catalogue.categories if c.sla_days and c.code in ids.by_code
    ]
    if not parts:
        return None
    return Report.status.is_in(open_codes(settings)) & reduce(lambda a, b: a | b, parts)


def _reference_fragment(q: str) -> str | None:
    """What the search could be part of a reference as ("k7qm-4x" -> "K7QM4X"), or None."""
    fragment = q.replace("-", "").upper()
    return fragment if fragment.isalnum() and len(fragment) <= 8 else None


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def match_expression(q: str) -> str:
    """An FTS5 query for what an officer typed: every word must start a word of the report (each
    one a quoted string with a prefix `*`, so quotes, brackets, `NEAR`, `OR` and `*` are text, not
    syntax); or, when the search could be part of a reference, the reference starts with it."""
    words = " ".join(f"{_quoted(word)}*" for word in q.split())
    fragment = _reference_fragment(q)
    return f"({words}) OR reference : {_quoted(fragment)}*" if fragment else words


def _contains(column: str, text: str, operator: str) -> WhereRaw:
    """`column` holds `text` literally: `%`, `_` and `\\` typed in a search are not wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return WhereRaw(f"\"report\".\"{column}\" {operator} {{}} ESCAPE '\\'", f"%{escaped}%")


def text_search(q: str, settings: Settings) -> Combinable:
    """Reports whose description, place or reference match the officer's search.

    SQLite reads its full-text index (report_fts, kept in step by triggers): words match from
    their start, in any order. A search with no letters or digits has no words to look up, so it
    looks for the characters themselves, as PostgreSQL does for every search: a substring test
    that its trigram indexes make fast.
    """
    if not settings.config.is_postgres and _HAS_WORD.search(q):
        return WhereRaw('"report"."id" IN (SELECT rowid FROM report_fts WHERE report_fts MATCH {})',
                        match_expression(q))
    # SQLite's LIKE already ignores ASCII case; PostgreSQL needs ILIKE.
    operator = "ILIKE" if settings.config.is_postgres else "LIKE"
    text = _contains("description", q, operator) | _contains("location_text", q, operator)
    fragment = _reference_fragment(q)
    if fragment:  # letters and digits only, so no wildcards to escape
        text = text | Report.reference.like(f"%{fragment}%")
    return text


def _start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


async def where_for(f: CaseFilter, staff: StaffMember, settings: Settings, ids: CategoryIds,
                    *, with_status: bool = True) -> Combinable:
    now = datetime.now(timezone.utc)
    conditions: list[Combinable] = []
    if staff.role == "warden":
        conditions.append(Report.staff_user == staff.user_id)  # wardens see the reports they filed
    if with_status and f.statuses:
        conditions.append(Report.status.is_in(list(f.statuses)))
    if f.category:
        conditions.append(Report.category == ids.by_code.get(f.category, -1))
    elif f.group:
        in_group = [i for i, g in ids.group_of.items() if g == f.group] or [-1]
        conditions.append(Report.category.is_in(in_group))
    if f.ward:
        conditions.append(Report.ward == f.ward)
    if f.street:
        conditions.append(Report.street == f.street)
    if f.date_from:
        conditions.append(Report.created_at >= _start_of(f.date_from))
    if f.date_to:
        conditions.append(Report.created_at < _start_of(f.date_to) + timedelta(days=1))
    if f.bbox:
        south, west, north, east = f.bbox
        conditions += [Report.latitude >= south, Report.latitude <= north,
                       Report.longitude >= west, Report.longitude <= east]
    if f.mine:
        conditions.append(Report.assigned_to == staff.user_id)
    if f.overdue:
        overdue = overdue_condition(settings, ids, now)
        conditions.append(overdue if overdue is not None else Report.id < 0)
    if f.q:
        conditions.append(text_search(f.q, settings))
    # Always a condition, so callers can combine it with `&`; the primary key test costs nothing.
    return reduce(lambda a, b: a & b, conditions) if conditions else Report.id.is_not_null()


@dataclass(frozen=True)
class CasePage:
    rows: list[dict]
    total: int
    status_counts: dict[str, int]
    page: int
    pages: int


async def case_page(f: CaseFilter, staff: StaffMember, settings: Settings) -> CasePage:
    ids = await category_ids()
    where = await where_for(f, staff, settings, ids)
    counts = await status_counts(f, staff, settings, ids)
    # The total falls out of the per-status counts: one scan of the filtered reports, not two.
    total = sum(counts.get(s, 0) for s in f.statuses) if f.statuses else sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(f.page, pages)
    order = SORT_COLUMNS[f.sort]
    rows = await (
        Report.select(
            Report.id, Report.reference, Report.status, Report.category, Report.description, Report.location_text,
            Report.street, Report.ward, Report.latitude, Report.longitude, Report.created_at, Report.updated_at,
            Report.hidden, Report.private,
            Report.assigned_to.email.as_alias("assigned_email"),
        )
        .where(where)
        .order_by(order, ascending=not f.descending)
        .order_by(Report.id, ascending=not f.descending)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    overdue_before = {c.code: datetime.now(timezone.utc) - timedelta(days=c.sla_days)
                      for c in settings.catalogue.categories if c.sla_days}
    open_statuses = set(open_codes(settings))
    for row in rows:
        row["category_code"] = ids.code_of.get(row["category"], "")
        cutoff = overdue_before.get(row["category_code"])
        row["overdue"] = bool(cutoff and row["status"] in open_statuses and row["created_at"] < cutoff)
    return CasePage(rows, total, counts, page, pages)


async def status_counts(f: CaseFilter, staff: StaffMember, settings: Settings, ids: CategoryIds) -> dict[str, int]:
    """Counts per status for everything else in the filter, so each status link says what it holds."""
    where = await where_for(replace(f, statuses=()), staff, settings, ids, with_status=False)
    rows = await Report.select(Report.status, Count(Report.id, alias="n")).where(where).group_by(Report.status)
    return {r["status"]: r["n"] for r in rows}


async def map_points(f: CaseFilter, staff: StaffMember, settings: Settings) -> dict:
    ids = await category_ids()
    where = await where_for(f, staff, settings, ids) & Report.latitude.is_not_null() & Report.longitude.is_not_null()
    rows = await (Report.select(Report.reference, Report.status, Report.latitude, Report.longitude)
                  .where(where).order_by(Report.created_at, ascending=False).limit(MAP_LIMIT + 1))
    return {
        "truncated": len(rows) > MAP_LIMIT,
        "points": [[r["latitude"], r["longitude"], r["reference"], r["status"]] for r in rows[:MAP_LIMIT]],
    }
