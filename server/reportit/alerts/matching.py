"""Which alerts each point falls in, and the push subscriptions that reach each alert, in one query
for a whole batch of points (an import's applications).

The spatial index finds the alerts whose bounding box holds a point (SQLite's R*Tree
`alert_rtree`, PostgreSQL's GiST index `alert_box` over the box), then the exact distance keeps
those within their radius. The same query brings each alert's owner's account email (for the
email fallback) and the working push subscriptions of every phone that reaches the owner (the
account's phones, or the phone that saved it): push's rule for a working subscription
(`push.fanout.working_subscriptions`) is repeated here in SQL, so matching 1,000 applications is a
few round trips to the database, not thousands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from reportit.alerts.geometry import distance_m
from reportit.alerts.rules import KINDS
from reportit.alerts.tables import Alert
from reportit.fast_sql import fetch_rows
from reportit.push.fanout import WORKING_FAILURE_LIMIT

CHUNK = 300  # points per query (SQLite allows 32,766 parameters; three a point)

# Each alert's subscriptions as a comma list from a correlated subquery: as a LEFT JOIN through the
# account's devices, SQLite built a Bloom filter over every push subscription for each query (3-7 ms
# a point, instead of 0.1 ms).
_SUBSCRIPTIONS = """(SELECT {agg} FROM push_subscription s {join}
   WHERE {owner} AND s.failure_count < ?1 AND (s.expires_at IS NULL OR s.expires_at > ?2))"""
_SELECT = """{points}
SELECT {n} AS point, a.id, a.device, a.account, a.label, a.latitude, a.longitude, a.radius, a.email, a.categories,
       a.ward,
       acc.email AS account_email,
       CASE WHEN a.account IS NULL THEN {by_device} ELSE {by_account} END AS subscriptions
FROM {source}
LEFT JOIN resident_account acc ON acc.id = a.account
WHERE {where}"""
# CROSS JOIN: SQLite keeps the points as the outer loop, so the R*Tree is searched once per point
# (left to choose, it scanned the whole tree and probed the points).
_SQLITE_NEAR = {
    "points": "WITH p(n, lat, lng) AS (VALUES {values})",
    "source": "p CROSS JOIN alert_rtree r CROSS JOIN alert a",
    "where": "r.min_lat <= p.lat AND r.max_lat >= p.lat AND r.min_lng <= p.lng AND r.max_lng >= p.lng "
             "AND a.id = r.id AND ",
}
_POSTGRES_NEAR = {
    "points": "WITH p AS (SELECT * FROM unnest(?4::int[], ?5::float8[], ?6::float8[]) AS p(n, lat, lng))",
    "source": "p JOIN alert a ON a.min_lat IS NOT NULL AND box(point(a.min_lng, a.min_lat), point(a.max_lng, "
              "a.max_lat)) && box(point(p.lng, p.lat), point(p.lng, p.lat))",
}


@dataclass(frozen=True)
class Match:
    alert_id: int
    device_id: int
    account_id: int | None
    label: str
    email_mode: str
    account_email: str
    categories: tuple[str, ...]
    subscriptions: tuple[int, ...]  # the working push subscriptions that reach the alert's owner
    ward: str = ""  # the ward, for an alert for a ward


def _sql(sql: str) -> str:
    """Written with `?n` marks: PostgreSQL's are `$n`."""
    return sql if Alert._meta.db.engine_type == "sqlite" else sql.replace("?", "$")


def _select(points: str, n: str, source: str, where: str) -> str:
    sqlite = Alert._meta.db.engine_type == "sqlite"
    agg = "group_concat(s.id)" if sqlite else "string_agg(s.id::text, ',')"
    by_device = _SUBSCRIPTIONS.format(agg=agg, join="", owner="s.device = a.device")
    by_account = _SUBSCRIPTIONS.format(agg=agg, join="JOIN device d ON d.id = s.device", owner="d.account = a.account")
    return _sql(_SELECT.format(points=points, n=n, by_device=by_device, by_account=by_account, source=source,
                               where=where))


def _match(row: dict) -> Match:
    categories = row["categories"]
    if isinstance(categories, str):
        categories = json.loads(categories) if categories not in ("", "[]") else ()
    subscriptions = tuple(int(s) for s in (row["subscriptions"] or "").split(",") if s)
    return Match(row["id"], row["device"], row["account"], row["label"] or "", row["email"],
                 row["account_email"] or "", tuple(categories or ()), subscriptions, row["ward"] or "")


async def alerts_at_points(points: list[tuple[float, float]], kind: str) -> list[list[Match]]:
    """For each point, the place alerts that want `kind` (planning, licensing, changes, problems)
    and hold it, in the points' order."""
    if kind not in KINDS:
        raise ValueError(f"not an alert kind: {kind}")
    found: list[list[Match]] = [[] for _ in points]
    for start in range(0, len(points), CHUNK):
        chunk = points[start:start + CHUNK]
        for row in await _near(chunk, kind):
            lat, lng = chunk[row["point"]]
            if distance_m(lat, lng, row["latitude"], row["longitude"]) <= row["radius"]:
                found[start + row["point"]].append(_match(row))
    return found


async def _near(points: list[tuple[float, float]], kind: str) -> list[dict]:
    fixed = [WORKING_FAILURE_LIMIT, _now(), True]
    where = f"a.{kind} = ?3"
    if Alert._meta.db.engine_type == "sqlite":
        values = ", ".join(f"(?{4 + 3 * i}, ?{5 + 3 * i}, ?{6 + 3 * i})" for i in range(len(points)))
        sql = _select(_SQLITE_NEAR["points"].format(values=values), "p.n", _SQLITE_NEAR["source"],
                      _SQLITE_NEAR["where"] + where)
        params = fixed + [value for i, (lat, lng) in enumerate(points) for value in (i, lat, lng)]
        return await fetch_rows(Alert, sql, params)
    sql = _select(_POSTGRES_NEAR["points"], "p.n", _POSTGRES_NEAR["source"], where)
    # (The planner's cost for hundreds of points crosses PostgreSQL's JIT threshold, and compiling
    # took longer than the query: the service's connections have JIT off, database.engine_for.)
    return await fetch_rows(Alert, sql, fixed + [list(range(len(points))), [p[0] for p in points],
                                                 [p[1] for p in points]])


async def alerts_at(latitude: float, longitude: float, kind: str) -> list[Match]:
    """Place alerts that want `kind` and hold this point."""
    return (await alerts_at_points([(latitude, longitude)], kind))[0]


async def alerts_in_wards(wards: list[str], kind: str) -> dict[str, list[Match]]:
    """Alerts for each of these wards (by name) that want `kind`."""
    if kind not in KINDS:
        raise ValueError(f"not an alert kind: {kind}")
    wards = sorted({w for w in wards if w})
    found: dict[str, list[Match]] = {ward: [] for ward in wards}
    if not wards:
        return found
    marks = ", ".join(f"?{n}" for n in range(4, 4 + len(wards)))
    sql = _select("", "a.ward", "alert a", f"a.ward IN ({marks}) AND a.{kind} = ?3")
    for row in await fetch_rows(Alert, sql, [WORKING_FAILURE_LIMIT, _now(), True, *wards]):
        found[row["point"]].append(_match(row))
    return found


async def alerts_following(references: list[str]) -> dict[str, list[Match]]:
    """Alerts that follow each of these applications."""
    if not references:
        return {}
    marks = ", ".join(f"?{n}" for n in range(4, 4 + len(references)))
    sql = _select("", "a.application", "alert a", f"a.application IN ({marks}) AND a.changes = ?3")
    found: dict[str, list[Match]] = {reference: [] for reference in references}
    for row in await fetch_rows(Alert, sql, [WORKING_FAILURE_LIMIT, _now(), True, *references]):
        found[row["point"]].append(_match(row))
    return found


def _now() -> datetime:
    return datetime.now(timezone.utc)
