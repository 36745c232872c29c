"""Places through the API, as the app and other systems use it: a report is stored with its street
and ward and shown in words; the point-in-words endpoint with a partner's signpost; the street list
the phone keeps; open reports nearby."""

from __future__ import annotations

import json

from reportit.places.tables import Area
from reportit.reports.tables import Report
from tests.api.test_reports_api import pothole, send
from tests.photo_samples import jpeg_with_exif
from tests.places.conftest import REGENT_STREET, VICTORIA_EMBANKMENT


async def test_a_report_at_a_point_is_stored_with_its_street_and_ward_and_shown_in_words(client, device, demo_places):
    response = await send(client, device, pothole(**REGENT_STREET))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["location"]["street"] == "Regent Street"
    assert body["location"]["ward"] == "West End"
    assert body["location"]["usrn"] == "8400001"
    assert body["location"]["words"] == "Regent Street, West End ward"
    reference = body["reference"]

    page = await client.get(f"/r/{reference}")
    assert '<span class="place-words">Regent Street, West End ward</span>' in page.text
    assert '<span class="coords">51.51265, -0.13850' in page.text  # coordinates second

    feed = await client.get(f"/open311/v2/requests/{reference}.json")
    assert feed.json()[0]["address"] == "Regent Street, West End ward"
    mine = await client.get("/api/me/reports", headers=device["headers"])
    assert [r["location"]["words"] for r in mine.json()["reports"] if r["reference"] == reference] == [
        "Regent Street, West End ward"]


async def test_a_street_chosen_in_words_with_no_point_still_names_the_street_and_ward(client, device, demo_places):
    data = {k: v for k, v in pothole(location_text="Regent Street, outside the shoe shop").items()
            if k not in REGENT_STREET}
    response = await send(client, device, data)
    assert response.status_code == 201, response.text
    location = response.json()["location"]
    assert (location["usrn"], location["street"], location["ward"]) == ("8400001", "Regent Street", "West End")
    feed = await client.get(f"/open311/v2/requests/{response.json()['reference']}.json")
    assert feed.json()[0]["address"] == "Regent Street, West End ward (Regent Street, outside the shoe shop)"


async def test_a_point_in_words_and_a_partners_street(client, demo_places):
    regent = (await client.get("/api/places/describe", params={**REGENT_STREET, "category": "pothole"})).json()
    assert regent["words"] == "Regent Street, West End ward"
    assert regent["street"]["usrn"] == "8400001" and regent["street"]["metres"] < 5
    assert regent["partner"] is None

    red_route = (await client.get("/api/places/describe", params={**VICTORIA_EMBANKMENT, "category": "pothole"})).json()
    assert red_route["street"]["authority"] == "Transport for London"
    assert red_route["partner"]["partner"] == "Transport for London"
    assert red_route["partner"]["category"] == "tfl"
    assert red_route["partner"]["why"] == "Victoria Embankment is looked after by Transport for London, not the council."
    # Noise on a red route is still the council's.
    noise = (await client.get("/api/places/describe", params={**VICTORIA_EMBANKMENT, "category": "noise_construction"})).json()
    assert noise["partner"] is None


async def test_a_point_outside_every_ward_and_bad_points_get_clear_messages(client, device, demo_places):
    from reportit.places.areas import AreaRecord, replace_areas

    square = [[[-0.140, 51.510], [-0.130, 51.510], [-0.130, 51.515], [-0.140, 51.515], [-0.140, 51.510]]]
    await replace_areas("ward", [AreaRecord("W1", "West End", [square])])
    outside = (await client.get("/api/places/describe", params={"latitude": "51.4906", "longitude": "-0.1429"})).json()
    assert outside["ward"] is None
    assert outside["message"] == ("This place is not in any of Westminster City Council's wards. "
                                  "If it is in our area, describe it in words.")
    assert outside["words"] == "Warwick Way"
    # A report there is still taken, with what is known.
    stored = await send(client, device, pothole(latitude="51.4906", longitude="-0.1429"))
    assert stored.status_code == 201
    assert stored.json()["location"]["ward"] is None and stored.json()["location"]["street"] == "Warwick Way"
    assert await Area.count() == 1

    for params, field, message in [
        ({"latitude": "north", "longitude": "-0.1"}, "latitude", "Give the latitude as a number, like 51.4975 or -0.1357."),
        ({"latitude": "55.0", "longitude": "-3.0"}, "latitude", "That place is outside the area Westminster City Council looks after."),
        ({"latitude": "51.5", "longitude": "-0.13", "category": "unicorns"}, "category",
         "We don't know that kind of problem. Choose one from the list."),
    ]:
        answer = await client.get("/api/places/describe", params=params)
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"] == [{"field": field, "message": message}]


async def test_the_street_list_is_gzipped_with_an_etag_and_changes_when_the_streets_do(client, demo_places):
    first = await client.get("/api/streets", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    assert first.headers["content-encoding"] == "gzip"
    assert int(first.headers["content-length"]) < 5000
    body = first.json()  # httpx undoes the gzip, as a browser does
    assert ["Regent Street", "Westminster"] == body["streets"][[s[0] for s in body["streets"]].index("Regent Street")][:2]
    assert "West End" in [w[0] for w in body["wards"]]
    assert body["partners"] == [{"authorities": ["transport for london", "tfl"], "groups": ["streets"], "signpost": "tfl"}]
    etag = first.headers["etag"]
    assert (await client.get("/api/streets", headers={"If-None-Match": etag})).status_code == 304

    from reportit.places.gazetteer import save_streets
    from reportit.places.street_file import StreetRecord

    await save_streets([StreetRecord(1, "8499999", "Rex Place", "Mayfair", "London", "", [[(-0.149, 51.510), (-0.148, 51.511)]])])
    changed = await client.get("/api/streets", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert "Rex Place" in [s[0] for s in json.loads(changed.content)["streets"]]
    plain = await client.get("/api/streets", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and json.loads(plain.content)["version"]


async def test_open_reports_of_the_same_problem_nearby_are_listed_with_photos(client, device, demo_places):
    near = (await send(client, device, pothole(**REGENT_STREET), photos=[jpeg_with_exif()])).json()
    other_kind = (await send(client, device, {
        "category": "graffiti", "answers": json.dumps({"offensive": "no"}), **REGENT_STREET})).json()
    far = (await send(client, device, pothole(latitude="51.5140", longitude="-0.1400"))).json()  # ~200 m
    hidden = (await send(client, device, pothole(**REGENT_STREET))).json()
    fixed = (await send(client, device, pothole(**REGENT_STREET))).json()
    await Report.update({Report.hidden: True}).where(Report.reference == hidden["reference"])
    await Report.update({Report.status: "fixed"}).where(Report.reference == fixed["reference"])

    answer = await client.get("/api/reports/nearby", params={**REGENT_STREET, "category": "pothole"})
    assert answer.status_code == 200
    listed = answer.json()["reports"]
    references = [r["reference"] for r in listed]
    assert near["reference"] in references
    assert not {other_kind["reference"], far["reference"], hidden["reference"], fixed["reference"]} & set(references)
    mine = listed[references.index(near["reference"])]
    assert mine["place"] == "Regent Street, West End ward" and mine["distance_m"] == 0
    assert len(mine["photos"]) == 1 and mine["photos"][0].startswith("/media/")
    assert (await client.get(mine["photos"][0])).status_code == 200  # a public report's thumbnail
    assert "contact" not in mine and "device" not in mine

    wide = await client.get("/api/reports/nearby", params={**REGENT_STREET, "radius": "400"})
    assert {near["reference"], other_kind["reference"], far["reference"]} <= {r["reference"] for r in wide.json()["reports"]}
    too_wide = await client.get("/api/reports/nearby", params={**REGENT_STREET, "radius": "5000"})
    assert too_wide.status_code == 422
    assert too_wide.json()["errors"] == [{"field": "radius", "message": "The radius must be between 1 and 1000 metres."}]


async def test_a_busy_area_still_lists_every_kind_of_problem_nearby(client, device, demo_places):
    """The app asks for a whole area once (and keeps it for no signal), then picks the problem's kind:
    an area with many reports of one kind crowded the others out of the answer, so a pothole
    reported there yesterday was not offered as "Is it one of these?"."""
    spot = {**REGENT_STREET, "latitude": "51.51268", "longitude": "-0.13853"}  # a few metres from it
    pothole_there = (await send(client, device, pothole(**spot))).json()
    for _ in range(55):
        assert (await send(client, device, {"category": "graffiti", "answers": json.dumps({"offensive": "no"}),
                                            **spot})).status_code == 201

    area = await client.get("/api/reports/nearby", params={**spot, "radius": "500"})

    listed = area.json()["reports"]
    assert pothole_there["reference"] in [r["reference"] for r in listed]
    assert sum(r["category"]["code"] == "graffiti" for r in listed) >= 10
