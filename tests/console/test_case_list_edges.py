"""The case list's rough edges as an officer meets them: where a case is, an empty result, and
the map area as the only way to filter by place."""

from __future__ import annotations

import re
import secrets

from tests.console.test_case_list import file


def row_of(html: str, reference: str) -> str:
    spoken = f"{reference[:4]}-{reference[4:]}"
    return re.search(rf"<tr>\s*<th scope=\"row\"><a href=\"/console/reports/{reference}\">{spoken}</a>.*?</tr>",
                     html, re.S).group(0)


async def test_where_shows_the_place_or_the_coordinates_never_the_description(officer, client, device):
    word = f"where{secrets.token_hex(3)}"
    placed = await file(client, device, description=f"reported with {word} a long story", location_text="Outside 12 Victoria Street")
    pinned = await file(client, device, description=f"reported with {word} another story")
    page = (await officer.get("/console/", params={"q": word})).text
    assert "Outside 12 Victoria Street" in row_of(page, placed)
    assert "reported with" not in row_of(page, placed) and "reported with" not in row_of(page, pinned)
    assert "51.49750, -0.13570" in row_of(page, pinned)


async def test_an_empty_result_says_so_and_offers_to_clear_the_filters(officer):
    page = await officer.get("/console/", params={"q": f"nothing{secrets.token_hex(4)}"})
    assert page.status_code == 200
    assert "<h2>No cases match these filters</h2>" in page.text
    assert '<a href="/console/">Clear the filters and see every case</a>' in page.text
    assert "<table" not in page.text and "Download these 0 cases" not in page.text


async def test_the_area_comes_from_the_map_not_from_typed_degrees(officer, client, device):
    word = f"area{secrets.token_hex(3)}"
    await file(client, device, description=word)
    plain = await officer.get("/console/", params={"q": word})
    assert "decimal degrees" not in plain.text and 'id="south"' not in plain.text
    assert '<button type="button" id="search-area"' in plain.text  # inside the map panel: hidden without JS
    boxed = await officer.get("/console/", params={"q": word, "south": "51.49", "west": "-0.15", "north": "51.51",
                                                   "east": "-0.13"})
    assert "Only cases in the map area you chose." in boxed.text
    assert '<input type="hidden" name="south" value="51.490000">' in boxed.text  # kept when other filters change
    remove = re.search(r'<a href="(/console/\?[^"]*)">Remove the area', boxed.text).group(1)
    assert "south" not in remove and word in remove
