"""The case list's filter, read from query parameters, so every filtered view is a plain link:
the list, its map, the dashboard and the CSV export all take the same parameters."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Mapping
from urllib.parse import urlencode

from reportit.settings import Settings

SORTS = ("created", "updated", "status", "reference")
PAGE_SIZE = 50
MAX_QUERY = 200


@dataclass(frozen=True)
class CaseFilter:
    statuses: tuple[str, ...] = ()
    category: str = ""
    group: str = ""
    ward: str = ""  # a ward's name (reportit.places)
    street: str = ""  # a street's name
    date_from: date | None = None
    date_to: date | None = None
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east
    mine: bool = False
    overdue: bool = False
    q: str = ""
    sort: str = "created"
    descending: bool = True
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    def params(self, **changes) -> dict[str, str | list[str]]:
        """Query parameters that reproduce this filter (with `changes`), leaving defaults out."""
        f = replace(self, **changes)
        out: dict[str, str | list[str]] = {}
        if f.statuses:
            out["status"] = list(f.statuses)
        for name in ("category", "group", "ward", "street", "q"):
            if getattr(f, name):
                out[name] = getattr(f, name)
        if f.date_from:
            out["from"] = f.date_from.isoformat()
        if f.date_to:
            out["to"] = f.date_to.isoformat()
        if f.bbox:
            out.update({k: f"{v:.6f}" for k, v in zip(("south", "west", "north", "east"), f.bbox)})
        if f.mine:
            out["mine"] = "1"
        if f.overdue:
            out["overdue"] = "1"
        if f.sort != "created":
            out["sort"] = f.sort
        if not f.descending:
            out["order"] = "asc"
        if f.page > 1:
            out["page"] = str(f.page)
        return out

    def query(self, **changes) -> str:
        return urlencode(self.params(**changes), doseq=True)

    def sort_link(self, column: str) -> str:
        """Sorting by a header: the first click sorts descending, the next one flips it."""
        descending = not self.descending if self.sort == column else True
        return self.query(sort=column, descending=descending, page=1)

    def aria_sort(self, column: str) -> str:
        if self.sort != column:
            return "none"
        return "descending" if self.descending else "ascending"


def _date(text: str, name: str, errors: dict[str, str], label: str) -> date | None:
    if not text.strip():
        return None
    try:
        when = date.fromisoformat(text.strip())
    except ValueError:
        errors[name] = f"{label} must be a real date, like 2026-03-31"
        return None
    if not 1900 <= when.year <= 2999:  # also keeps "the day after" computable
        errors[name] = f"{label} must be a date between 1900 and 2999"
        return None
    return when


def parse_filter(params: Mapping[str, str] | object, settings: Settings) -> CaseFilter:
    """Unknown values are reported in `errors` and left out, so a bad link still shows a list."""
    get = params.get  # type: ignore[attr-defined]
    errors: dict[str, str] = {}
    known = {s.code for s in settings.catalogue.statuses}
    statuses = tuple(s for s in params.getlist("status") if s in known) if hasattr(params, "getlist") else ()
    category = get("category", "") or ""
    if category and settings.catalogue.category(category) is None:
        errors["category"] = "Choose a category from the list"
        category = ""
    group = get("group", "") or ""
    if group and settings.catalogue.group(group) is None:
        errors["group"] = "Choose a group from the list"
        group = ""
    date_from = _date(get("from", "") or "", "from", errors, "The start date")
    date_to = _date(get("to", "") or "", "to", errors, "The end date")
    if date_from and date_to and date_from > date_to:
        errors["to"] = "The end date must be the same as or after the start date"
        date_to = None
    bbox = _bbox([get(k, "") or "" for k in ("south", "west", "north", "east")], errors)
    ward = (get("ward", "") or "").replace("\x00", "").strip()[:200]
    street = (get("street", "") or "").replace("\x00", "").strip()[:200]
    q = (get("q", "") or "").strip()[:MAX_QUERY]
    if "\x00" in q:  # PostgreSQL cannot compare text with it, and SQLite's full-text index cannot parse it
        errors["q"] = "Search words can't contain a hidden control character (NUL). Type them again"
        q = ""
    sort = get("sort", "created")
    try:
        page = max(1, min(int(get("page", "1") or 1), 10_000))
    except ValueError:
        page = 1
    return CaseFilter(
        statuses=statuses, category=category, group=group, ward=ward, street=street, date_from=date_from, date_to=date_to, bbox=bbox,
        mine=get("mine", "") == "1", overdue=get("overdue", "") == "1",
        q=q, sort=sort if sort in SORTS else "created",
        descending=get("order", "desc") != "asc", page=page, errors=errors,
    )


def _bbox(values: list[str], errors: dict[str, str]) -> tuple[float, float, float, float] | None:
    if not any(v.strip() for v in values):
        return None
    try:
        south, west, north, east = (float(v) for v in values)
    except ValueError:
        errors["area"] = "The map area in this link is incomplete: remove the area, or choose it again on the map"
        return None
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        errors["area"] = "The map area in this link is not a real area: remove it, or choose it again on the map"
        return None
    return south, west, north, east
