"""`reportit demo`: about 80 illustrative applications in both regimes around the council's map
centre, at every stage, some with later versions (an extension, a hearing, a decision). Each is
marked illustrative, and the page and app say so."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from reportit import database
from reportit.applications.deadline import today_in
from reportit.applications.tables import Application
from reportit.applications.versions import Proposed, record
from reportit.settings import Settings

log = logging.getLogger(__name__)

STREETS = ("Victoria Street", "Horseferry Road", "Vincent Square", "Rochester Row", "Greycoat Place", "Strutton Ground",
           "Marsham Street", "Regency Street", "Tachbrook Street", "Belgrave Road", "Warwick Way", "Wilton Road")
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
    lat, lng = settings.catalogue.map.centre
    async with database.write_transaction(Application._meta.db):
        for number in range(count):
            licensing = number % 8 >= 5  # 30 of 80
            kind, what = rng.choice(LICENSING if licensing else PLANNING)
            regime = "licensing" if licensing else "planning"
            start = today - timedelta(days=rng.randint(-5, 60))
            values = {
                "application_type": kind, "description": what,
                "address": f"{rng.randint(1, 180)} {rng.choice(STREETS)}, London SW1",
                "latitude": round(lat + rng.uniform(-0.008, 0.008), 6), "longitude": round(lng + rng.uniform(-0.012, 0.012), 6),
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
