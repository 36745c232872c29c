"""Places fixtures: the illustrative demo streets and wards in the shared test database, for the
length of one test (other suites' reports and pushes must not gain a street by surprise)."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

REGENT_STREET = {"latitude": "51.51265", "longitude": "-0.13850", "accuracy": "8", "location_source": "device"}
VICTORIA_EMBANKMENT = {"latitude": "51.50400", "longitude": "-0.12281", "accuracy": "8", "location_source": "device"}


@pytest.fixture
async def demo_places(app) -> AsyncIterator[None]:
    from reportit.places.areas import read_area_file, replace_areas
    from reportit.places.demo_load import DEMO
    from reportit.places.gazetteer import save_streets
    from reportit.places.street_file import read_street_file
    from reportit.places.tables import Area, Street

    await save_streets(read_street_file(DEMO / "streets.geojson").records)
    await replace_areas("ward", read_area_file(DEMO / "wards.geojson")[0])
    yield
    await Street.delete(force=True)
    await Area.delete(force=True)
