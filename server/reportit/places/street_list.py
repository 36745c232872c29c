"""The street list the app keeps on the phone: every street's name, locality and simplified lines,
and the wards, as gzip'd JSON, so the type-ahead and "Near Regent Street, West End ward" work with
no signal. Lines are Google's encoded polylines (1e-5 degrees, about a metre), simplified to within
SIMPLIFY_METRES first: 5,000 streets come to well under 150 KB on the wire (bench/bench_places.py).

Shape: {"version", "authorities": [name…], "streets": [[name, locality, authority index or -1,
[polyline…]]…], "wards": [[name, [[ring polyline…] per polygon]]…], "partners": [{authorities,
groups, signpost}]}.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from piccolo.query.functions.aggregate import Count, Max

from reportit.places.geometry import METRES_PER_DEGREE
from reportit.places.tables import Area, Street
from reportit.settings import Settings

SIMPLIFY_METRES = 4.0


@dataclass(frozen=True)
class StreetList:
    key: tuple  # what it was built from: counts and last changes of streets and wards
    version: str
    gzipped: bytes


async def source_key() -> tuple:
    streets = await Street.select(Count(Street.id, alias="n"), Max(Street.updated_at, alias="at")).first()
    areas = await Area.select(Count(Area.id, alias="n"), Max(Area.updated_at, alias="at")).where(Area.kind == "ward").first()
    return (streets["n"], str(streets["at"]), areas["n"], str(areas["at"]))


async def build(settings: Settings, key: tuple) -> StreetList:
    streets = await Street.select(Street.name, Street.locality, Street.authority, Street.lines).order_by(Street.name)
    wards = await Area.select(Area.name, Area.polygons).where(Area.kind == "ward").order_by(Area.name)
    authorities = sorted({s["authority"] for s in streets if s["authority"]})
    index = {name: i for i, name in enumerate(authorities)}
    body = {
        "authorities": authorities,
        "streets": [[s["name"], s["locality"], index.get(s["authority"], -1),
                     [encode(simplify(line)) for line in _json(s["lines"])]] for s in streets],
        "wards": [[w["name"], [[encode(ring) for ring in polygon] for polygon in _json(w["polygons"])]] for w in wards],
        "partners": partners(settings),
    }
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    version = hashlib.sha256(raw).hexdigest()[:20]
    raw = raw[:-1] + f',"version":"{version}"}}'.encode()
    return StreetList(key=key, version=version, gzipped=gzip.compress(raw, compresslevel=9, mtime=0))


def partners(settings: Settings) -> list[dict]:
    """Which maintaining authorities send which groups of problems to which signpost."""
    return [{"authorities": [a.lower() for a in c.signpost.street_authorities], "groups": list(c.signpost.street_groups),
             "signpost": c.code}
            for c in settings.catalogue.categories if c.signpost and c.signpost.street_authorities]


def _json(value):
    return value if isinstance(value, list) else json.loads(value or "[]")


def encode(line: Sequence[Sequence[float]]) -> str:
    """Google's encoded polyline of [longitude, latitude] positions (it stores latitude first)."""
    out: list[str] = []
    last_lat = last_lng = 0
    for lng, lat in line:
        ilat, ilng = round(lat * 1e5), round(lng * 1e5)
        for delta in (ilat - last_lat, ilng - last_lng):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        last_lat, last_lng = ilat, ilng
    return "".join(out)


def simplify(line: Sequence[Sequence[float]], tolerance: float = SIMPLIFY_METRES) -> list[Sequence[float]]:
    """Douglas–Peucker: drop the points that move the line by less than `tolerance` metres."""
    if len(line) <= 2:
        return list(line)
    kx = METRES_PER_DEGREE * math.cos(math.radians(line[0][1]))
    points = [((p[0] * kx), (p[1] * METRES_PER_DEGREE)) for p in line]
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy) or 1e-9
        worst, at = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            distance = abs(dy * (px - ax) - dx * (py - ay)) / length
            if distance > worst:
                worst, at = distance, i
        if worst > tolerance:
            keep[at] = True
            stack += [(first, at), (at, last)]
    return [p for p, kept in zip(line, keep) if kept]
