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

_SELECT = """SELECT a.id, a.device, a.account, a.label, a.latitude, a.longitude, a.radius, a.email, a.categories,
       acc.email AS account_email, s.id AS subscription
FROM {source}
LEFT JOIN resident_account acc ON acc.id = a.account
LEFT JOIN device d ON d.account = a.account
LEFT JOIN push_subscription s
  ON s.device = CASE WHEN a.account IS NULL THEN a.device ELSE d.id END
 AND s.failure_count < {limit} AND (s.expires_at IS NULL OR s.expires_at > {now})
WHERE {where}"""
_SQLITE_NEAR = ("alert_rtree r JOIN alert a ON a.id = r.id",
                "r.min_lat <= {lat} AND r.max_lat >= {lat2} AND r.min_lng <= {lng} AND r.max_lng >= {lng2} "
                "AND a.{kind} = {true}")
_POSTGRES_NEAR = ("alert a",
                  "a.min_lat IS NOT NULL AND box(point(a.min_lng, a.min_lat), point(a.max_lng, a.max_lat)) "
                  "&& box(point({lng}, {lat}), point({lng2}, {lat2})) AND a.{kind} = {true}")


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


def _matches(rows: list[dict], keep) -> list[Match]:
    by_alert: dict[int, dict] = {}
    subscriptions: dict[int, list[int]] = {}
    for row in rows:
        if row["id"] not in by_alert:
            if not keep(row):
                continue
            by_alert[row["id"]] = row
            subscriptions[row["id"]] = []
        if row["subscription"] is not None:
            subscriptions[row["id"]].append(row["subscription"])
    matches = []
    for alert_id, row in by_alert.items():
        categories = row["categories"]
        if isinstance(categories, str):
            categories = json.loads(categories or "[]")
        matches.append(Match(alert_id, row["device"], row["account"], row["label"] or "", row["email"],
                             row["account_email"] or "", tuple(categories or ()), tuple(subscriptions[alert_id])))
    return matches


async def alerts_at(latitude: float, longitude: float, kind: str) -> list[Match]:
    """Place alerts that want `kind` (planning, licensing, changes, problems) and hold this point."""
    if kind not in KINDS:
        raise ValueError(f"not an alert kind: {kind}")
    sqlite = Alert._meta.db.engine_type == "sqlite"
    source, where = _SQLITE_NEAR if sqlite else _POSTGRES_NEAR
    marks = placeholders(Alert, 7)
    sql = _SELECT.format(source=source, limit=marks[0], now=marks[1], where=where.format(
        lat=marks[2], lat2=marks[3], lng=marks[4], lng2=marks[5], kind=kind, true=marks[6]))
    rows = await fetch_rows(Alert, sql, [WORKING_FAILURE_LIMIT, _now(), latitude, latitude, longitude, longitude, True])
    return _matches(rows, lambda r: distance_m(latitude, longitude, r["latitude"], r["longitude"]) <= r["radius"])


async def alerts_following(reference: str) -> list[Match]:
    """Alerts that follow this one application."""
    marks = placeholders(Alert, 4)
    sql = _SELECT.format(source="alert a", limit=marks[0], now=marks[1],
                         where=f"a.application = {marks[2]} AND a.changes = {marks[3]}")
    rows = await fetch_rows(Alert, sql, [WORKING_FAILURE_LIMIT, _now(), reference, True])
    return _matches(rows, lambda r: True)


def _now() -> datetime:
    return datetime.now(timezone.utc)
