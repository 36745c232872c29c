"""The street gazetteer: saving imported streets, and the nearest street to a point.

The nearest street is found in two steps: the spatial index gives the streets whose bounding box
comes within a search distance of the point (an R*Tree on SQLite, GiST on PostgreSQL), then the exact
distance to each candidate's lines picks one. Measured in bench/bench_places.py over 10,000 streets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from piccolo.engine.sqlite import SQLiteEngine

from reportit import database
from reportit.places.geometry import METRES_PER_DEGREE, bounds, distance_m
from reportit.places.street_file import StreetRecord
from reportit.places.tables import Street

# Search distances, widened when nothing is found; beyond the last the point is on no known street.
SEARCH_METRES = (60.0, 250.0)
INSERT_BATCH = 500

SQLITE_CANDIDATES = """
    SELECT s.usrn, s.name, s.locality, s.town, s.authority, s.lines FROM place_street_box b
    JOIN place_street s ON s.id = b.id
    WHERE b.max_lng >= {} AND b.min_lng <= {} AND b.max_lat >= {} AND b.min_lat <= {}
"""
POSTGRES_CANDIDATES = """
    SELECT usrn, name, locality, town, authority, lines FROM place_street
    WHERE box(point(min_lng, min_lat), point(max_lng, max_lat)) && box(point({}, {}), point({}, {}))
"""


@dataclass(frozen=True)
class NearestStreet:
    usrn: str
    name: str
    locality: str
    town: str
    authority: str
    metres: float


@dataclass(frozen=True)
class SaveCounts:
    added: int
    updated: int
    unchanged: int


async def save_streets(records: list[StreetRecord]) -> SaveCounts:
    """Add new streets and update changed ones, by USRN, in one transaction: importing the same file
    twice changes nothing the second time."""
    existing = {r["usrn"]: r for r in await Street.select(
        Street.id, Street.usrn, Street.name, Street.locality, Street.town, Street.authority, Street.lines)}
    now = datetime.now(timezone.utc)
    added: list[Street] = []
    updated = unchanged = 0
    async with database.write_transaction(Street._meta.db):
        for record in records:
            values = _values(record)
            old = existing.get(record.usrn)
            if old is None:
                added.append(Street(**values, updated_at=now))
                continue
            stored = {k: old[k] for k in ("name", "locality", "town", "authority")}
            stored_lines = old["lines"] if isinstance(old["lines"], list) else json.loads(old["lines"] or "[]")
            if stored == {k: values[k] for k in stored} and stored_lines == values["lines"]:
                unchanged += 1
                continue
            await Street.update({**{getattr(Street, k): v for k, v in values.items()}, Street.updated_at: now}).where(
                Street.id == old["id"])
            updated += 1
        for start in range(0, len(added), INSERT_BATCH):
            await Street.insert(*added[start:start + INSERT_BATCH])
    return SaveCounts(added=len(added), updated=updated, unchanged=unchanged)


def _values(record: StreetRecord) -> dict:
    min_lng, min_lat, max_lng, max_lat = bounds(record.lines)
    return {"usrn": record.usrn, "name": record.name, "locality": record.locality, "town": record.town,
            "authority": record.authority, "lines": [[list(p) for p in line] for line in record.lines],
            "min_lat": min_lat, "min_lng": min_lng, "max_lat": max_lat, "max_lng": max_lng}


async def nearest_street(latitude: float, longitude: float) -> NearestStreet | None:
    """The street nearest the point, within the widest search distance; None when there is none."""
    for metres in SEARCH_METRES:
        rows = await candidates(latitude, longitude, metres)
        best = None
        for row in rows:
            lines = row["lines"] if isinstance(row["lines"], list) else json.loads(row["lines"])
            distance = distance_m(latitude, longitude, lines)
            if distance <= metres and (best is None or distance < best.metres):
                best = NearestStreet(row["usrn"], row["name"], row["locality"], row["town"], row["authority"], distance)
        if best is not None:
            return best
    return None


async def candidates(latitude: float, longitude: float, metres: float) -> list[dict]:
    """Streets whose bounding box comes within `metres` of the point, from the spatial index."""
    from math import cos, radians

    dlat = metres / METRES_PER_DEGREE
    dlng = metres / (METRES_PER_DEGREE * max(0.01, cos(radians(latitude))))
    west, east, south, north = longitude - dlng, longitude + dlng, latitude - dlat, latitude + dlat
    if isinstance(Street._meta.db, SQLiteEngine):
        return await Street.raw(SQLITE_CANDIDATES, west, east, south, north)
    return await Street.raw(POSTGRES_CANDIDATES, west, south, east, north)


async def street_in_words(text: str) -> dict | None:
    """The street a place description starts with ("Regent Street, by the bus stop"), longest name
    first, so a resident who chose a street from the list, offline, gets its USRN and ward too."""
    words = " ".join(text.lower().replace(",", " , ").split())
    if not words:
        return None
    first = words.split(" ")[0]
    if any(mark in first for mark in "%_\\"):
        return None  # LIKE's wildcards: no street name starts with one, and "%…" would load every street
    # SQLite's LIKE ignores case already (Piccolo warns about ILIKE there); PostgreSQL's does not.
    starts = Street.name.like(f"{first}%") if isinstance(Street._meta.db, SQLiteEngine) else Street.name.ilike(f"{first}%")
    rows = await Street.select(Street.usrn, Street.name, Street.authority, Street.lines).where(starts)
    matches = [r for r in rows if words == r["name"].lower() or words.startswith(r["name"].lower() + " ")]
    return max(matches, key=lambda r: len(r["name"])) if matches else None


async def streets_named(phrases: Iterable[str]) -> list[str]:
    """The gazetteer's street names among `phrases` (lower case), spelt as the gazetteer spells them."""
    wanted, names = sorted(set(phrases)), set()
    for start in range(0, len(wanted), INSERT_BATCH):
        chunk = wanted[start:start + INSERT_BATCH]
        rows = await Street.raw(f"SELECT DISTINCT name FROM place_street WHERE lower(name) IN "
                                f"({', '.join('{}' for _ in chunk)})", *chunk)
        names.update(r["name"] for r in rows)
    return sorted(names)
