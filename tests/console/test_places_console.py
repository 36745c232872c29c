"""The console in words: the case list's Where column and ward filter, the dashboard's busiest
wards and streets, the CSV's street and ward, and likely duplicates on the case page."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import secrets
from html.parser import HTMLParser
from pathlib import Path

from reportit.reports.tables import Report
from tests.api.test_reports_api import pothole, send
from tests.console.conftest import post_form
from tests.places.conftest import REGENT_STREET, VICTORIA_EMBANKMENT, demo_places  # noqa: F401 (fixture)

CONSOLE_CSS = Path(__file__).parents[2] / "server/reportit/console/static/console.css"
# In the West End ward, over 250 m from every demo street: the ward is known, the street is not.
WEST_END_NO_STREET = {"latitude": "51.53500", "longitude": "-0.12000", "accuracy": "8", "location_source": "device"}


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
    assert where_lines(everything.text, west_end) == ["Regent Street, West End ward", "51.51265, -0.13850"]

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


class _Lines(HTMLParser):
    """A table cell's text as a reader sees it: each span the console's styles show as a block
    starts a line of its own."""

    def __init__(self, blocks: set[str]) -> None:
        super().__init__()
        self.blocks, self.lines = blocks, [""]

    def handle_starttag(self, tag, attrs):
        if tag == "span" and set((dict(attrs).get("class") or "").split()) & self.blocks and self.lines[-1]:
            self.lines.append("")

    def handle_endtag(self, tag):
        if tag == "span" and self.lines[-1]:
            self.lines.append("")

    def handle_data(self, data):
        self.lines[-1] += data


def where_lines(page: str, reference: str) -> list[str]:
    """The lines of the Where cell of the case list's row for `reference`."""
    row = page[page.index(f'<a href="/console/reports/{reference}">'):]
    cell = re.findall(r"<td>(.*?)</td>", row[:row.index("</tr>")], re.S)[3]
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", CONSOLE_CSS.read_text())
    blocks = {name for selectors, body in rules if re.search(r"display:\s*block", body)
              for name in re.findall(r"(?:^|,)\s*\.([\w-]+)\s*(?=,|$)", selectors.strip())}
    parser = _Lines(blocks)
    parser.feed(cell)
    return [" ".join(line.split()) for line in parser.lines if line.strip()]


async def test_the_case_list_says_the_ward_and_the_residents_own_words_on_lines_of_their_own(
        officer, client, device, demo_places):  # noqa: F811
    word = f"where{secrets.token_hex(4)}"
    off_street = await new(client, device, description=f"Hole {word}", location_text="Greek Street",
                           **WEST_END_NO_STREET)
    on_street = await new(client, device, description=f"Hole {word}", location_text="By the bus stop", **REGENT_STREET)
    chosen = await new(client, device, description=f"Hole {word}", location_text="regent street", **REGENT_STREET)

    page = (await officer.get("/console/", params={"q": word})).text

    assert where_lines(page, off_street) == ["West End ward", "Greek Street", "51.53500, -0.12000"]
    assert where_lines(page, on_street) == ["Regent Street, West End ward", "By the bus stop", "51.51265, -0.13850"]
    # The street the resident chose from the list is said once.
    assert where_lines(page, chosen) == ["Regent Street, West End ward", "51.51265, -0.13850"]


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
