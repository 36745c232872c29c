"""Which alerts a point falls in: the spatial index finds the alerts whose bounding box holds the
point (SQLite's R*Tree `alert_rtree`, PostgreSQL's GiST index `alert_box`), then the exact distance
keeps those within their radius. Each match comes with its owner's account email (for the email
fallback) in the same query."""

from __future__ import annotations

import json
from dataclasses import dataclass

from reportit.alerts.geometry import distance_m
from reportit.alerts.rules import KINDS
from reportit.alerts.tables import Alert

_SELECT = ("SELECT a.id, a.device, a.account, a.label, a.latitude, a.longitude, a.radius, a.email, a.categories, "
           "acc.email AS account_email ")
_SQLITE = (_SELECT + "FROM alert_rtree r JOIN alert a ON a.id = r.id "
           "LEFT JOIN resident_account acc ON acc.id = a.account "
           "WHERE r.min_lat <= {} AND r.max_lat >= {} AND r.min_lng <= {} AND r.max_lng >= {} AND a.%s = {}")
_POSTGRES = (_SELECT + "FROM alert a LEFT JOIN resident_account acc ON acc.id = a.account "
             "WHERE a.min_lat IS NOT NULL "
             "AND box(point(a.min_lng, a.min_lat), point(a.max_lng, a.max_lat)) && box(point({}, {}), point({}, {})) "
             "AND a.%s = {}")


@dataclass(frozen=True)
class Match:
    alert_id: int
    device_id: int
    account_id: int | None
    label: str
    email_mode: str
    account_email: str
    categories: tuple[str, ...]


def _match(row: dict) -> Match:
    categories = row["categories"]
    if isinstance(categories, str):
        categories = json.loads(categories or "[]")
    return Match(row["id"], row["device"], row["account"], row["label"] or "", row["email"],
                 row["account_email"] or "", tuple(categories or ()))


async def alerts_at(latitude: float, longitude: float, kind: str) -> list[Match]:
    """Place alerts that want `kind` (planning, licensing, changes, problems) and hold this point."""
    if kind not in KINDS:
        raise ValueError(f"not an alert kind: {kind}")
    if Alert._meta.db.engine_type == "sqlite":
        rows = await Alert.raw(_SQLITE % kind, latitude, latitude, longitude, longitude, True)
    else:
        rows = await Alert.raw(_POSTGRES % kind, longitude, latitude, longitude, latitude, True)
    return [_match(row) for row in rows
            if distance_m(latitude, longitude, row["latitude"], row["longitude"]) <= row["radius"]]


async def alerts_following(reference: str) -> list[Match]:
    """Alerts that follow this one application."""
    rows = await Alert.select(Alert.id, Alert.device, Alert.account, Alert.label, Alert.latitude, Alert.longitude,
                              Alert.radius, Alert.email, Alert.categories,
                              Alert.account.email.as_alias("account_email")).where(
        (Alert.application == reference) & (Alert.changes == True))  # noqa: E712
    return [_match(row) for row in rows]
