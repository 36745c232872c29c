"""Applications near a point or in a box, filtered and paged.

Only the candidates in the box around the circle are read (their ids and positions), the distance
is worked out here, and full rows are fetched for one page. PostgreSQL finds the candidates with
the position index (latitude, longitude): a range on latitude, longitude read from the same index
entries. SQLite asks the R*Tree `application_point` (kept by triggers), which holds exactly the box:
its p95 was 88 ms with the position index (reading every entry in the latitude band), against a
goal of 50 ms. A database without the R*Tree (the bench's baseline) is searched as PostgreSQL is.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from dataclasses import dataclass
from typing import Any

from reportit.applications.present import COLUMNS
from reportit.applications.tables import Application

log = logging.getLogger(__name__)


def _sqlite_has_math() -> bool:
    try:
        sqlite3.connect(":memory:").execute("SELECT asin(sqrt(power(sin(radians(1)), 2)))").close()
        return True
    except sqlite3.OperationalError:  # built without SQLITE_ENABLE_MATH_FUNCTIONS
        return False


SQLITE_MATH = _sqlite_has_math()

EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class Search:
    near: tuple[float, float] | None = None
    radius: float = 500
    box: tuple[float, float, float, float] | None = None  # south, west, north, east
    regimes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()  # ward names, as the places domain has them
    limit: int = 50
    offset: int = 0

    def bounds(self) -> tuple[float, float, float, float] | None:
        if self.near is None:
            return self.box
        lat, lng = self.near
        dlat = math.degrees(self.radius / EARTH_RADIUS_M)
        dlng = dlat / max(math.cos(math.radians(lat)), 1e-6)
        return lat - dlat, lng - dlng, lat + dlat, lng + dlng


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _where(search: Search):
    conditions = []
    bounds = search.bounds()
    if bounds is not None:
        south, west, north, east = bounds
        conditions += [Application.latitude >= south, Application.latitude <= north,
                       Application.longitude >= west, Application.longitude <= east]
    if search.regimes:
        conditions.append(Application.regime.is_in(list(search.regimes)))
    if search.statuses:
        conditions.append(Application.status.is_in(list(search.statuses)))
    if search.types:
        conditions.append(Application.application_type.is_in(list(search.types)))
    if search.wards:
        conditions.append(Application.ward.is_in(list(search.wards)))
    return conditions


async def find(search: Search) -> tuple[list[dict[str, Any]], int]:
    """One page of applications (nearest first around a point, else newest first) and how many match."""
    conditions = _where(search)
    if search.near is None:
        query = Application.select(*(getattr(Application, c) for c in COLUMNS))
        count = Application.count()
        if conditions:
            query, count = query.where(*conditions), count.where(*conditions)
        rows = await query.order_by(Application.received_at, ascending=False).order_by(Application.id).limit(
            search.limit).offset(search.offset)
        return rows, await count
    if Application._meta.db.engine_type == "sqlite":
        found = await _page_from_rtree(search)
        if found is not None:
            return found
    candidates = await Application.select(Application.id, Application.latitude, Application.longitude).where(
        *conditions).output(as_list=False)
    near = [(distance_m(search.near, (c["latitude"], c["longitude"])), c["id"]) for c in candidates]
    near = sorted(item for item in near if item[0] <= search.radius)
    page = near[search.offset:search.offset + search.limit]
    if not page:
        return [], len(near)
    return await _rows_of([i for _, i in page], search), len(near)


async def _rows_of(ids: list[int], search: Search) -> list[dict[str, Any]]:
    """Full rows of one page, in the page's order, each with its distance from the point."""
    rows = await Application.select(*(getattr(Application, c) for c in COLUMNS)).where(Application.id.is_in(ids))
    by_id = {row["id"]: row for row in rows}
    assert search.near is not None
    return [{**by_id[i], "distance_m": round(distance_m(search.near, (by_id[i]["latitude"], by_id[i]["longitude"])))}
            for i in ids if i in by_id]


async def _page_from_rtree(search: Search) -> tuple[list[dict[str, Any]], int] | None:
    """SQLite: one page nearest first, and how many are within the radius, in one query over the
    R*Tree's box, the distance worked out by SQLite's math functions: only the page's ids leave the
    database (reading every candidate's position into Python was most of the time). None when the
    database has no R*Tree (the bench's baseline) or SQLite was built without math functions."""
    assert search.near is not None
    if not SQLITE_MATH:
        return None
    lat, lng = map(math.radians, search.near)
    south, west, north, east = search.bounds()  # type: ignore[misc]
    # distance_m's great-circle distance, term for term, so the same applications are in and in order.
    inner = ["SELECT a.id, 2 * {} * asin(sqrt(power(sin((radians(a.latitude) - {}) / 2), 2) + {} * cos(radians(a.latitude))"
             " * power(sin((radians(a.longitude) - {}) / 2), 2))) AS d",
             "FROM application_point r CROSS JOIN application a ON a.id = r.id",
             # The R*Tree keeps 32-bit boxes rounded outwards: ask for those overlapping the box.
             "WHERE r.max_lat >= {} AND r.min_lat <= {} AND r.max_lng >= {} AND r.min_lng <= {}"]
    params: list[Any] = [EARTH_RADIUS_M, lat, math.cos(lat), lng, south, north, west, east]
    for column, values in (("regime", search.regimes), ("status", search.statuses),
                           ("application_type", search.types), ("ward", search.wards)):
        if values:
            inner.append(f"AND a.{column} IN ({', '.join('{}' for _ in values)})")
            params += list(values)
    within = search.radius
    sql = (f"SELECT id, count(*) OVER () AS found FROM ({' '.join(inner)}) WHERE d <= {{}} "
           "ORDER BY d, id LIMIT {} OFFSET {}")
    try:
        page = await Application.raw(sql, *params, within, search.limit, search.offset)
    except sqlite3.OperationalError as exc:
        if "application_point" not in str(exc):
            raise
        log.warning("event=applications_rtree_missing searching with the position index instead")
        return None
    if not page:
        if search.offset == 0:
            return [], 0
        [row] = await Application.raw(f"SELECT count(*) AS found FROM ({' '.join(inner)}) WHERE d <= {{}}",
                                      *params, within)
        return [], row["found"]
    return await _rows_of([r["id"] for r in page], search), page[0]["found"]
