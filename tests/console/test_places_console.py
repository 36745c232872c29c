"""The console in words: the case list's Where column and ward filter, the dashboard's busiest
wards and streets, the CSV's street and ward, and likely duplicates on the case page."""

from __future__ import annotations

import csv
import io
import json
import random
import secrets

from reportit.reports.tables import Report
from tests.api.test_reports_api import pothole, send
from tests.console.conftest import post_form
from tests.places.conftest import REGENT_STREET, VICTORIA_EMBANKMENT, demo_places  # noqa: F401 (fixture)


async def new(client, device, **extra) -> str:
    response = await send(client, device, pothole(**extra))
    assert response.status_code == 201, response.text
    return response.json()["reference"]


async def test_the_case_list_filters_by_ward_and_says_where_in_words(officer, client, device, demo_places):  # noqa: F811
    word = f"ward{secrets.token_hex(4)}"
    west_end = await new(client, device, description=f"Hole {word}", **REGENT_STREET)
    st_james = await new(client, device, description=f"Hole {word}", **VICTORIA_EMBANKMENT)

    everything = await officer.get("/console/", params={"q": word})
    assert west_end in everything.text and st_james in everything.text
    assert '<option value="West End">West End</option>' in everything.text
    assert ('<td>Regent Street, West End ward<span class="coords">51.51265, -0.13850</span></td>'
            in everything.text)

    filtered = await officer.get("/console/", params={"q": word, "ward": "West End"})
    assert west_end in filtered.text and st_james not in filtered.text
    assert '<option value="West End" selected>West End</option>' in filtered.text
    by_street = await officer.get("/console/", params={"q": word, "street": "Victoria Embankment"})
    assert st_james in by_street.text and west_end not in by_street.text
    assert "Only cases on Victoria Embankment." in by_street.text

    case = await officer.get(f"/console/reports/{west_end}")
    assert '<a href="/console/?ward=West%20End">West End ward</a>' in case.text
    assert "(USRN 8400001)" in case.text

    dashboard = await officer.get("/console/dashboard", params={"q": word})
    assert "<caption>Busiest wards</caption>" in dashboard.text
    assert f'<a href="/console/?ward=West+End&amp;q={word}&amp;from=' in dashboard.text
    assert '">West End</a></th><td>1</td>' in dashboard.text
    assert ">Victoria Embankment</a></th><td>St James&#39;s</td><td>1</td>" in dashboard.text

    export = await officer.get("/console/export.csv", params={"q": word})
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(export.text.lstrip("\ufeff")))}
    assert (rows[west_end]["street"], rows[west_end]["ward"], rows[west_end]["usrn"]) == ("Regent Street", "West End", "8400001")
    assert rows[st_james]["ward"] == "St James's"


async def test_the_case_page_suggests_likely_duplicates_same_kind_first_and_warns_across_kinds(officer, client, device):
    # A quiet corner of the map of its own, so other tests' reports are not near.
    # Within the council's bounds (north edge 51.5400) even 400 m north of the furthest start.
    lat, lng = 51.5300 + random.uniform(0, 0.004), -0.2100 + random.uniform(0, 0.02)
    at = lambda metres: {"latitude": f"{lat + metres / 111320:.6f}", "longitude": f"{lng:.6f}"}  # noqa: E731
    original = await new(client, device, **at(0))
    dumped = await new(client, device, category="fly_tipping", answers=json.dumps({"hazardous": "no"}), **at(10))
    far = await new(client, device, **at(400))
    repeat = await new(client, device, **at(20))

    case = await officer.get(f"/console/reports/{repeat}")
    assert "Likely duplicates" in case.text
    suggested = case.text[case.text.index('id="likely-duplicates-title"'):case.text.index("Reference of the original report")]
    assert suggested.index(f'id="likely-{original}"') < suggested.index(f'id="likely-{dumped}"')  # same kind first
    assert "20 m away" in suggested and "Different category" in suggested
    assert far not in suggested

    asked = await post_form(officer, f"/console/reports/{repeat}/duplicate", {"original": dumped})
    assert asked.status_code == 422 and "Yes, merge anyway" in asked.text  # across kinds: asked first
    merged = await post_form(officer, f"/console/reports/{repeat}/duplicate", {"original": original})
    assert merged.status_code == 303
    row = await Report.select(Report.duplicate_of.reference.as_alias("original")).where(Report.reference == repeat).first()
    assert row["original"] == original
