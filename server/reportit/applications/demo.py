"""`reportit demo`: about 80 illustrative applications in both regimes around the council's map
centre, at every stage, some with later versions (an extension, a hearing, a decision). Each is
marked illustrative, and the page and app say so. Each stands beside the street its address names,
taken from the gazetteer (the demo streets, unless the council has imported its own), so the
street and ward the server names for its point agree with its address."""

from __future__ import annotations

import json
import logging
import math
import random
from datetime import timedelta

from reportit import database
from reportit.applications.deadline import today_in
from reportit.applications.tables import Application
from reportit.applications.versions import Proposed, record
from reportit.places.gazetteer import candidates, nearest_street
from reportit.places.geometry import METRES_PER_DEGREE
from reportit.settings import Settings

log = logging.getLogger(__name__)

# Streets within this distance of the map centre have the applications (the demo streets reach ~1.5 km).
AROUND_METRES = 1500.0
ATTEMPTS = 20
PLANNING = (("full", "Change of use from offices to six flats"), ("householder", "Single-storey rear extension"),
            ("householder", "Replacement timber sash windows"), ("listed-building-consent", "Internal alterations to a listed house"),
            ("advertisement", "Illuminated fascia sign"), ("full", "Roof extension adding one storey"),
            ("full", "Outdoor seating area for a café"))
LICENSING = (("new-premises", "New premises licence: restaurant serving alcohol until 23:00"),
             ("full-variation", "Full variation: later hours on Friday and Saturday, to 01:00"),
             ("minor-variation", "Minor variation: change to the layout of the bar"),
             ("new-premises", "New premises licence: late-night refreshment for a takeaway"))
DECISIONS = ("Granted", "Granted with conditions", "Refused")


async def load_applications_demo(settings: Settings, count: int = 80, seed: int = 2026) -> int:
    if await Application.count() > 0:
        log.info("event=applications_demo_skipped reason=applications_exist")
        return 0
    rng = random.Random(seed)
    today = today_in(settings.catalogue.applications)
    streets = await streets_around(*settings.catalogue.map.centre)
    if not streets:
        log.warning("event=applications_demo_skipped reason=no_streets_near_the_map_centre")
        return 0
    async with database.write_transaction(Application._meta.db):
        for number in range(count):
            licensing = number % 8 >= 5  # 30 of 80
            kind, what = rng.choice(LICENSING if licensing else PLANNING)
            regime = "licensing" if licensing else "planning"
            start = today - timedelta(days=rng.randint(-5, 60))
            address, (lat, lng) = await _address_and_point(rng, streets)
            values = {
                "application_type": kind, "description": what, "address": address,
                "latitude": round(lat, 6), "longitude": round(lng, 6),
                "status": "received" if start > today else "under_consultation",
                "consultation_start": start if start <= today else None,
                "documentation_url": settings.catalogue.council.website or "",
            }
            reference = (f"26/{number + 1:05d}/{kind[:4].upper()}" if not licensing else f"26/{number + 1:05d}/LIPN")
            first = Proposed(reference=reference, regime=regime, values=values, illustrative=True)
            await record(first, settings, source="demo", actor="demo")
            for later in _later(rng, values, today, licensing):
                await record(Proposed(reference=reference, regime=regime, values=later), settings, source="demo", actor="demo")
    log.info("event=applications_demo_loaded applications=%d", count)
    return count


async def streets_around(latitude: float, longitude: float) -> list[dict]:
    """The gazetteer's streets near the map centre, in a steady order (the seed then picks the same)."""
    rows = await candidates(latitude, longitude, AROUND_METRES)
    for row in rows:
        row["lines"] = row["lines"] if isinstance(row["lines"], list) else json.loads(row["lines"])
    return sorted(rows, key=lambda r: r["usrn"])


async def _address_and_point(rng: random.Random, streets: list[dict]) -> tuple[str, tuple[float, float]]:
    """A house on a street and a point a few metres off its middle stretch, which the server names as
    that street (a point near a junction could be nearer the other street: another is tried)."""
    for _ in range(ATTEMPTS):
        street = rng.choice(streets)
        point = _beside(rng, rng.choice(street["lines"]))
        nearest = await nearest_street(*point)
        if nearest is not None and nearest.usrn == street["usrn"]:
            break
    house = f"{rng.randint(1, 180)} {street['name']}"
    return ", ".join(part for part in (house, street["town"]) if part), point


def _beside(rng: random.Random, line: list[list[float]], metres: float = 8.0) -> tuple[float, float]:
    """(latitude, longitude) along the line, away from its ends, `metres` to one side of it. Worked
    out flat, in metres east and north of the line's start, as places/geometry.py measures."""
    if len(line) == 1:
        return line[0][1], line[0][0]
    kx, ky = METRES_PER_DEGREE * math.cos(math.radians(line[0][1])), METRES_PER_DEGREE
    points = [((p[0] - line[0][0]) * kx, (p[1] - line[0][1]) * ky) for p in line]
    segments = [(a, b, math.dist(a, b)) for a, b in zip(points, points[1:])]
    along = rng.uniform(0.2, 0.8) * sum(length for *_, length in segments)
    for segment in segments:
        if along <= segment[2] or segment is segments[-1]:
            break
        along -= segment[2]
    a, b, length = segment
    t = along / length if length else 0.0
    east, north = b[0] - a[0], b[1] - a[1]
    side = rng.choice((-1, 1)) * metres / (length or 1.0)  # the unit normal (-north, east), scaled
    x, y = a[0] + t * east - side * north, a[1] + t * north + side * east
    return line[0][1] + y / ky, line[0][0] + x / kx


def _later(rng: random.Random, values: dict, today, licensing: bool) -> list[dict]:
    start = values["consultation_start"]
    if start is None:
        return []
    age = (today - start).days
    if age > 45:
        decided = start + timedelta(days=rng.randint(30, age))
        return [{"status": "decided", "decision": rng.choice(DECISIONS), "decision_date": decided}]
    if licensing and age > 20:
        return [{"hearing_date": today + timedelta(days=rng.randint(3, 20))}]
    if not licensing and age > 15 and rng.random() < 0.4:
        return [{"consultation_extended_to": start + timedelta(days=35)}]
    return []
