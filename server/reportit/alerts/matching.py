"""Which alerts a point falls in, and the push subscriptions that reach each, in one query.

The spatial index finds the alerts whose bounding box holds the point (SQLite's R*Tree
`alert_rtree`, PostgreSQL's GiST index `alert_box` over the box), then the exact distance keeps
those within their radius. The same query brings each alert's owner's account email (for the
email fallback) and the working push subscriptions of every phone that reaches the owner (the
account's phones, or the phone that saved it): push's rule for a working subscription
(`push.fanout.working_subscriptions`) is repeated here in SQL, so an import of 1,000 applications
is one round trip to the database per application rather than four.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from reportit.alerts.geometry import distance_m
from reportit.alerts.rules import KINDS
from reportit.alerts.tables import Alert
from reportit.fast_sql import fetch_rows, placeholders
from reportit.push.fanout import WORKING_FAILURE_LIMIT

# Each alert's subscriptions as a comma list from a correlated subquery: as a LEFT JOIN through the
# account's devices, SQLite built a Bloom filter over every push subscription for each query (3-7 ms
# a point, instead of 0.1 ms).
_SUBSCRIPTIONS = """(SELECT {agg} FROM push_subscription s {join}
   WHERE {owner} AND s.failure_count < {limit} AND (s.expires_at IS NULL OR s.expires_at > {now}))"""
_SELECT = """SELECT a.id, a.device, a.account, a.label, a.latitude, a.longitude, a.radius, a.email, a.categories,
       acc.email AS account_email,
       CASE WHEN a.account IS NULL THEN {by_device} ELSE {by_account} END AS subscriptions
FROM {source}
LEFT JOIN resident_account acc ON acc.id = a.account
WHERE {where}"""
_SQLITE_NEAR = ("alert_rtree r JOIN alert a ON a.id = r.id",
                "r.min_lat <= {lat} AND r.max_lat >= {lat} AND r.min_lng <= {lng} AND r.max_lng >= {lng} "
                "AND a.{kind} = {true}")
_POSTGRES_NEAR = ("alert a",
                  "a.min_lat IS NOT NULL AND box(point(a.min_lng, a.min_lat), point(a.max_lng, a.max_lat)) "
                  "&& box(point({lng}, {lat}), point({lng}, {lat})) AND a.{kind} = {true}")


def _select(source: str, where: str, limit: str, now: str) -> str:
    agg = "group_concat(s.id)" if Alert._meta.db.engine_type == "sqlite" else "string_agg(s.id::text, ',')"
    by_device = _SUBSCRIPTIONS.format(agg=agg, join="", owner="s.device = a.device", limit=limit, now=now)
    by_account = _SUBSCRIPTIONS.format(agg=agg, join="JOIN device d ON d.id = s.device", owner="d.account = a.account",
                                       limit=limit, now=now)
    return _SELECT.format(by_device=by_device, by_account=by_account, source=source, where=where)


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


def _match(row: dict) -> Match:
    categories = row["categories"]
    if isinstance(categories, str):
        categories = json.loads(categories or "[]")
    subscriptions = tuple(int(s) for s in (row["subscriptions"] or "").split(",") if s)
    return Match(row["id"], row["device"], row["account"], row["label"] or "", row["email"],
                 row["account_email"] or "", tuple(categories or ()), subscriptions)


async def alerts_at(latitude: float, longitude: float, kind: str) -> list[Match]:
    """Place alerts that want `kind` (planning, licensing, changes, problems) and hold this point."""
    if kind not in KINDS:
        raise ValueError(f"not an alert kind: {kind}")
    sqlite = Alert._meta.db.engine_type == "sqlite"
    source, where = _SQLITE_NEAR if sqlite else _POSTGRES_NEAR
    limit, now, lat, lng, true = placeholders(Alert, 5)
    sql = _select(source, where.format(lat=lat, lng=lng, kind=kind, true=true), limit, now)
    rows = await fetch_rows(Alert, sql, [WORKING_FAILURE_LIMIT, _now(), latitude, longitude, True])
    return [_match(r) for r in rows if distance_m(latitude, longitude, r["latitude"], r["longitude"]) <= r["radius"]]


async def alerts_following(reference: str) -> list[Match]:
    """Alerts that follow this one application."""
    limit, now, application, true = placeholders(Alert, 4)
    sql = _select("alert a", f"a.application = {application} AND a.changes = {true}", limit, now)
    return [_match(r) for r in await fetch_rows(Alert, sql, [WORKING_FAILURE_LIMIT, _now(), reference, True])]


def _now() -> datetime:
    return datetime.now(timezone.utc)
