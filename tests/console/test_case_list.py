"""The case list: filters, search, reference lookup, sorting, pages and counts, as links."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from reportit.reports.tables import Report
from tests.api.test_reports_api import pothole, send
from tests.console.conftest import post_form


async def file(client, device, **extra) -> str:
    response = await send(client, device, pothole(**extra))
    assert response.status_code == 201, response.text
    return response.json()["reference"]


async def test_free_text_search_finds_description_and_place(officer, client, device):
    word = f"zebra{secrets.token_hex(3)}"
    in_text = await file(client, device, description=f"Hole near the {word} sign")
    in_place = await file(client, device, location_text=f"Outside {word.upper()} house")
    await file(client, device, description="Something else")
    page = await officer.get("/console/", params={"q": word})
    assert page.status_code == 200
    assert f"{in_text[:4]}-{in_text[4:]}" in page.text and f"{in_place[:4]}-{in_place[4:]}" in page.text
    assert "Cases 1 to 2 of 2" in page.text


async def test_an_exact_reference_jumps_straight_to_the_case(officer, report):
    response = await officer.get("/console/", params={"q": report["reference_spoken"].lower()})
    assert response.status_code == 303 and response.headers["location"] == f"/console/reports/{report['reference']}"


async def test_filters_combine_and_counts_per_status_follow_them(officer, client, device):
    word = f"filter{secrets.token_hex(3)}"
    references = [await file(client, device, description=f"{word} {i}") for i in range(3)]
    await post_form(officer, f"/console/reports/{references[0]}/status", {"status": "fixed", "action": "save"})
    page = await officer.get("/console/", params={"q": word, "status": "fixed"})
    assert "Cases 1 to 1 of 1" in page.text and references[0][:4] in page.text
    # The status links count everything else in the filter.
    assert '>Received <span class="count">2</span>' in page.text
    assert '>Fixed <span class="count">1</span>' in page.text
    none = await officer.get("/console/", params={"q": word, "category": "graffiti"})
    assert "No cases match these filters" in none.text


async def test_area_dates_and_overdue_filters(officer, client, device):
    word = f"area{secrets.token_hex(3)}"
    inside = await file(client, device, description=word, latitude="51.5000", longitude="-0.1400")
    outside = await file(client, device, description=word, latitude="51.5300", longitude="-0.1200")
    box = {"q": word, "south": "51.49", "west": "-0.15", "north": "51.51", "east": "-0.13"}
    page = await officer.get("/console/", params=box)
    assert inside[:4] in page.text and outside[:4] not in page.text
    partial = await officer.get("/console/", params={"q": word, "south": "51.49"})
    assert "The map area in this link is incomplete" in partial.text and 'href="#area"' in partial.text
    assert 'id="area"' in partial.text and "Remove the area" in partial.text

    # Pothole SLA is 5 days: a report from 6 days ago is overdue, today's is not.
    await Report.update({Report.created_at: datetime.now(timezone.utc) - timedelta(days=6)}).where(
        Report.reference == outside)
    overdue = await officer.get("/console/", params={"q": word, "overdue": "1"})
    assert outside[:4] in overdue.text and inside[:4] not in overdue.text and "Overdue</span>" in overdue.text
    today = datetime.now(timezone.utc).date().isoformat()
    recent = await officer.get("/console/", params={"q": word, "from": today, "to": today})
    assert inside[:4] in recent.text and outside[:4] not in recent.text
    backwards = await officer.get("/console/", params={"from": today, "to": "2000-01-01"})
    assert "The end date must be the same as or after the start date" in backwards.text


async def test_sorting_is_a_link_and_pages_hold_fifty(officer, client, device):
    word = f"page{secrets.token_hex(3)}"
    rows = [Report(reference=f"TEST{secrets.choice('ABCDEFGH')}{i:03d}"[:8], category=1, status="received",
                   description=word, created_at=datetime.now(timezone.utc) - timedelta(minutes=i)) for i in range(55)]
    first = await file(client, device, description=word)
    category = (await Report.select(Report.category).where(Report.reference == first).first())["category"]
    for row in rows:
        row.category = category
    await Report.insert(*rows)
    page1 = await officer.get("/console/", params={"q": word})
    assert "Cases 1 to 50 of 56" in page1.text and "Page 1 of 2" in page1.text
    assert 'aria-sort="descending"><a href="?q=' in page1.text
    page2 = await officer.get("/console/", params={"q": word, "page": "2"})
    assert "Cases 51 to 56 of 56" in page2.text
    oldest_first = await officer.get("/console/", params={"q": word, "order": "asc"})
    oldest = rows[-1].reference
    assert f"{oldest[:4]}-{oldest[4:]}" in oldest_first.text and f"{first[:4]}-{first[4:]}" not in oldest_first.text


async def test_the_map_gets_the_same_filter_as_points(officer, client, device):
    word = f"map{secrets.token_hex(3)}"
    reference = await file(client, device, description=word)
    body = (await officer.get("/console/map.json", params={"q": word})).json()
    assert body == {"truncated": False, "points": [[51.4975, -0.1357, reference, "received"]]}
