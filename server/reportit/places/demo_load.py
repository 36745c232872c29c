"""`reportit demo`: illustrative streets and wards around the demo centre (places/demo/), loaded
only when the council has imported none, so `make run` shows street names."""

from __future__ import annotations

import logging
from pathlib import Path

from reportit.places.areas import read_area_file, replace_areas
from reportit.places.backfill import name_reports
from reportit.places.gazetteer import save_streets
from reportit.places.street_file import read_street_file
from reportit.places.tables import Area, Street

log = logging.getLogger(__name__)

DEMO = Path(__file__).parent / "demo"


async def load_demo_places() -> None:
    if not await Street.count():
        await save_streets(read_street_file(DEMO / "streets.geojson").records)
    if not await Area.count().where(Area.kind == "ward"):
        records, _ = read_area_file(DEMO / "wards.geojson")
        await replace_areas("ward", records)
    named = await name_reports()
    log.info("event=demo_places_loaded reports_named=%d", named)
