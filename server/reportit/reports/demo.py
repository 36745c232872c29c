"""`reportit demo`: a lived-in service for trying things out — months of reports around Westminster."""

from __future__ import annotations

import io
import logging
import random
from datetime import datetime, timedelta, timezone

from PIL import Image, ImageDraw

from reportit import database
from reportit.places.demo_load import load_demo_places
from reportit.reports.categories import category_ids, sync_categories
from reportit.reports.photos import process_photo
from reportit.reports.references import new_reference
from reportit.reports.storage import store_for
from reportit.reports.tables import Photo, Report, StatusChange
from reportit.settings import Settings

log = logging.getLogger(__name__)

PLACES = [
    ("Outside 14 Marsham Street", 51.4951, -0.1296),
    ("Victoria Street, by the bus stop opposite Ashley Place", 51.4966, -0.1395),
    ("Corner of Horseferry Road and Regency Street", 51.4940, -0.1330),
    ("Strutton Ground market", 51.4972, -0.1338),
    ("Warwick Way, near the junction with Belgrave Road", 51.4906, -0.1429),
    ("Churton Street", 51.4905, -0.1383),
    ("Lupus Street, outside the shops", 51.4864, -0.1386),
    ("Old Compton Street", 51.5132, -0.1316),
    ("Berwick Street market", 51.5137, -0.1354),
    ("Greek Street", 51.5141, -0.1307),
    ("Marylebone High Street", 51.5200, -0.1512),
    ("Edgware Road, by the Tube entrance", 51.5199, -0.1676),
    ("Church Street market", 51.5236, -0.1703),
    ("Harrow Road, near the library", 51.5252, -0.1946),
    ("Elgin Avenue", 51.5262, -0.1952),
    ("Queensway", 51.5130, -0.1876),
    ("Westbourne Grove", 51.5148, -0.1965),
    ("Covent Garden piazza, south side", 51.5117, -0.1225),
    ("Villiers Street", 51.5083, -0.1234),
    ("Pimlico Road", 51.4897, -0.1541),
]

DESCRIPTIONS = {
    "pothole": ["Deep pothole in the nearside lane, cyclists swerving round it.", "Pothole has opened up again after last month's repair."],
    "broken_paving": ["Two paving slabs are rocking and one is cracked right across.", "Raised slab, my mother tripped on it yesterday."],
    "street_light": ["Lamp has been out for a week, the path is very dark.", "Light flickers on and off all night."],
    "graffiti": ["Tags sprayed across the shop shutters overnight.", "Large graffiti on the wall of the underpass."],
    "fly_tipping": ["Mattress and black bags dumped on the pavement.", "Builder's rubble and a broken fridge left by the bins."],
    "overflowing_bin": ["Bin is overflowing and rubbish is blowing down the street.", "Recycling bin full, bags piled next to it."],
    "abandoned_vehicle": ["Silver hatchback with flat tyres, not moved for weeks.", "Moped chained to the railings with parts missing."],
    "dropped_kerb": ["White van parked across my driveway again.", "Car blocking the dropped kerb so wheelchair users cannot cross."],
    "disabled_bay": ["Car in the disabled bay with no blue badge showing.", "Delivery van parked in the disabled bay all afternoon."],
    "unauthorised_building": ["Rear extension going up, no planning notice anywhere.", "They have taken out the original sash windows on a listed terrace."],
    "planning_conditions": ["Drilling started at 6.45am on a Saturday.", "Lorries delivering before 7am every day this week."],
    "unauthorised_advert": ["New illuminated sign above the shop, very bright at night.", "A-boards blocking half the pavement."],
    "licence_conditions": ["Bar still serving on the terrace after midnight.", "Tables and chairs take up the whole pavement."],
    "street_trading": ["Stall selling phone cases with no licence displayed.", "Ice cream van parked on the double yellows every afternoon."],
    "noise_licensed_premises": ["Music from the club until 4am, windows rattling.", "Crowds shouting outside the pub at closing time."],
    "noise_construction": ["Angle grinder going at 7pm on a weekday.", "Piling work on Sunday morning."],
    "noise_neighbour": ["Loud music from the flat above most nights until 2am.", "Dog barking for hours while the owners are out."],
}

MESSAGES = {
    "investigating": "An officer will inspect this within the next few days.",
    "in_progress": "Our contractor has been asked to carry out the work.",
    "action_scheduled": "The work is booked for next week.",
    "fixed": "This has now been put right. Thank you for reporting it.",
    "not_council_responsibility": "This is on private land, so it is the owner's responsibility. We have written to them.",
    "duplicate": "Someone else reported this already; we are dealing with it under their report.",
    "no_further_action": "We visited but could not find a breach, so we are closing this report.",
    "referred": "We have passed this to Transport for London, who look after this road.",
}

# A path through the statuses: (next status, weight).
PATHS = [
    ["received"],
    ["received", "investigating"],
    ["received", "investigating", "in_progress"],
    ["received", "investigating", "action_scheduled"],
    ["received", "investigating", "in_progress", "fixed"],
    ["received", "investigating", "action_scheduled", "fixed"],
    ["received", "fixed"],
    ["received", "not_council_responsibility"],
    ["received", "duplicate"],
    ["received", "investigating", "no_further_action"],
    ["received", "referred"],
]
WEIGHTS = [12, 10, 6, 4, 14, 6, 8, 3, 3, 4, 2]


def _scene(rng: random.Random, kind: int) -> bytes:
    """A simple street-like picture (road, pavement, a hole or a pile), as a phone might send."""
    image = Image.new("RGB", (1600, 1200), (120 + rng.randint(0, 30), 120, 125))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1600, 420), fill=(150, 180, 215))
    draw.rectangle((0, 420, 1600, 600), fill=(165, 160, 150))
    for x in range(0, 1600, 160):
        draw.line((x, 420, x + 40, 600), fill=(140, 135, 125), width=4)
    if kind % 3 == 0:
        draw.ellipse((600, 750, 1000, 950), fill=(45, 40, 38))
    elif kind % 3 == 1:
        for _ in range(6):
            x, y = rng.randint(500, 1000), rng.randint(600, 850)
            draw.rectangle((x, y, x + 220, y + 160), fill=(20 + rng.randint(0, 30), 20, 25))
    else:
        draw.rectangle((760, 200, 800, 700), fill=(60, 70, 60))
        draw.ellipse((720, 160, 840, 240), fill=(230, 220, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


async def load_demo(settings: Settings, reports: int = 300, seed: int = 2026) -> None:
    await sync_categories(settings)
    await load_demo_places()  # illustrative streets and wards, and the places of reports already there
    if await Report.count() > 0:
        log.info("event=demo_skipped reason=database_not_empty")
        return
    rng = random.Random(seed)
    store = store_for(settings)
    photos = []
    for kind in range(9):
        processed = process_photo(_scene(rng, kind), max_pixels=settings.config.max_photo_pixels)
        display = await store.put(processed.display)
        thumb = await store.put(processed.thumbnail)
        photos.append((display.key, thumb.key, processed.width, processed.height))

    ids = await category_ids()
    categories = [c for c in settings.catalogue.categories if c.signpost is None]
    now = datetime.now(timezone.utc)
    engine = Report._meta.db
    for number in range(reports):
        category = categories[number % len(categories)] if number < len(categories) else rng.choice(categories)
        place, lat, lng = rng.choice(PLACES)
        created = now - timedelta(days=rng.uniform(0, 180) ** 1.3 / 180 ** 0.3, minutes=rng.randint(0, 600))
        path = rng.choices(PATHS, WEIGHTS)[0] if number >= len(PATHS) else PATHS[number]
        async with database.write_transaction(engine):
            report = Report(
                reference=new_reference(),
                category=ids[category.code],
                status=path[-1],
                description=rng.choice(DESCRIPTIONS.get(category.code, ["Please take a look."])),
                answers=_answers(category, rng),
                latitude=lat + rng.uniform(-0.0015, 0.0015),
                longitude=lng + rng.uniform(-0.0022, 0.0022),
                location_accuracy=rng.choice([5.0, 8.0, 12.0, 25.0, 65.0]),
                location_source=rng.choice(["device", "device", "map", "photo"]),
                location_text=place if rng.random() < 0.6 else "",
                contact_email=f"resident{number}@example.com" if rng.random() < 0.5 else "",
                source="demo",
                private=category.private,
                created_at=created,
                updated_at=created,
            )
            await report.save()
            for position in range(rng.choice([0, 1, 1, 2, 3])):
                key, thumb, width, height = photos[(number + position) % len(photos)]
                await Photo(report=report.id, position=position, key=key, thumb_key=thumb,
                            width=width, height=height, created_at=created).save()
            when = created
            previous = ""
            for status in path:
                await StatusChange(report=report.id, from_status=previous, to_status=status,
                                   public_message=MESSAGES.get(status, ""), actor="demo",
                                   created_at=when).save()
                previous = status
                when = min(now, when + timedelta(hours=rng.uniform(2, 24 * 12)))
            await Report.update({Report.updated_at: when}).where(Report.id == report.id)
    await load_demo_places()
    log.info("event=demo_loaded reports=%d", reports)


def _answers(category, rng: random.Random) -> dict:
    answers: dict = {}
    for question in category.questions:
        if not question.variable:
            continue
        safe = [c for c in question.values if not c.blocks]
        if question.datatype == "singlevaluelist" and safe:
            answers[question.code] = rng.choice(safe).key
        elif question.datatype == "multivaluelist" and safe:
            answers[question.code] = [rng.choice(safe).key]
        elif question.required and question.datatype == "string":
            answers[question.code] = rng.choice(["LK19 ABC", "The Crown", "WX21 DFE"])
    return answers
