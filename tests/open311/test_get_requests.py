"""GET requests and GET requests/{id}: the round trip a GeoReport client makes, and every filter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from reportit.reports.status import Actor, change_status
from reportit.reports.tables import Report
from tests.open311.georeport import (
    BASE, REQUEST_FIELDS, W3C, assert_errors, children, create, fields, parse_xml, pothole,
)


async def test_round_trip_post_then_get_by_id_then_list_by_status(client, api_key, settings):
    data = pothole(api_key, address_string="By the zebra crossing", media_url="https://photos.example.org/p.jpg")
    reference = await create(client, data)

    [record] = (await client.get(f"{BASE}/requests/{reference}.json")).json()
    assert list(record) == REQUEST_FIELDS
    assert record["service_request_id"] == reference
    assert record["status"] == "open" and record["status_notes"] is None
    assert (record["service_code"], record["service_name"]) == ("pothole", "Pothole")
    assert record["description"] == data["description"]
    assert record["agency_responsible"] == settings.catalogue.council.name
    assert record["address"] == "By the zebra crossing"
    assert (record["lat"], record["long"]) == (51.4975, -0.1357)
    assert record["media_url"] == "https://photos.example.org/p.jpg"
    assert W3C.match(record["requested_datetime"]) and W3C.match(record["updated_datetime"])
    assert record["address_id"] is None and record["zipcode"] is None and record["expected_datetime"] is None

    open_ids = [r["service_request_id"] for r in (await client.get(f"{BASE}/requests.json?status=open")).json()]
    closed_ids = [r["service_request_id"] for r in (await client.get(f"{BASE}/requests.json?status=closed")).json()]
    assert reference in open_ids and reference not in closed_ids


async def test_a_request_in_xml_has_the_spec_elements_in_order(client, api_key):
    reference = await create(client, pothole(api_key))
    root = parse_xml(await client.get(f"{BASE}/requests/{reference}.xml"), "service_requests")
    [request] = children(root, "request")
    assert [c.tag for c in request] == REQUEST_FIELDS
    values = fields(request)
    assert values["service_request_id"] == reference and values["status"] == "open"
    assert float(values["lat"]) == 51.4975 and float(values["long"]) == -0.1357
    assert values["zipcode"] is None and values["media_url"] is None  # empty elements
    assert W3C.match(values["requested_datetime"])


async def test_a_fixed_report_is_closed_and_shows_its_public_message(client, api_key, settings):
    reference = await create(client, pothole(api_key))
    await change_status(reference, "fixed", settings=settings, actor=Actor("test"),
                        public_message="Filled on Tuesday", internal_note="Crew 4, 2 bags of tarmac")

    [record] = (await client.get(f"{BASE}/requests/{reference}.json")).json()
    assert record["status"] == "closed" and record["status_notes"] == "Filled on Tuesday"
    closed = (await client.get(f"{BASE}/requests.json?status=closed&service_code=pothole")).json()
    assert reference in [r["service_request_id"] for r in closed]
    assert "Crew 4" not in (await client.get(f"{BASE}/requests.xml?status=closed")).text


async def test_a_closed_kind_status_is_closed_too(client, api_key, settings):
    reference = await create(client, pothole(api_key))
    await change_status(reference, "duplicate", settings=settings, actor=Actor("test"))
    [record] = (await client.get(f"{BASE}/requests/{reference}.json")).json()
    assert record["status"] == "closed"


async def test_service_request_ids_override_every_other_filter(client, api_key):
    first = await create(client, pothole(api_key))
    second = await create(client, pothole(api_key))
    url = f"{BASE}/requests.json?service_request_id={first},{second.lower()},NOPE&service_code=graffiti&status=closed"
    found = {r["service_request_id"] for r in (await client.get(url)).json()}
    assert found == {first, second}


async def test_service_code_filter_takes_a_comma_list(client, api_key):
    pothole_ref = await create(client, pothole(api_key))
    graffiti = {"api_key": api_key, "service_code": "graffiti", "lat": "51.5", "long": "-0.14", "attribute[offensive]": "no"}
    graffiti_ref = await create(client, graffiti)
    only_graffiti = {r["service_code"] for r in (await client.get(f"{BASE}/requests.json?service_code=graffiti")).json()}
    assert only_graffiti == {"graffiti"}
    both = {r["service_request_id"] for r in (await client.get(f"{BASE}/requests.json?service_code=graffiti,pothole")).json()}
    assert {pothole_ref, graffiti_ref} <= both


async def test_the_date_window_filters_on_the_request_time(client, api_key):
    reference = await create(client, pothole(api_key))
    old = datetime.now(timezone.utc) - timedelta(days=200)
    await Report.update({Report.created_at: old}).where(Report.reference == reference)

    recent = {r["service_request_id"] for r in (await client.get(f"{BASE}/requests.json")).json()}
    assert reference not in recent  # the default is the last 90 days
    start = (old - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (old + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    then = await client.get(f"{BASE}/requests.json", params={"start_date": start, "end_date": end})
    assert [r["service_request_id"] for r in then.json()] == [reference]


async def test_page_and_page_size_walk_through_the_list(client, api_key):
    for _ in range(3):
        await create(client, pothole(api_key))
    everything = [r["service_request_id"] for r in (await client.get(f"{BASE}/requests.json")).json()]
    first = [r["service_request_id"] for r in (await client.get(f"{BASE}/requests.json?page_size=2")).json()]
    second = [r["service_request_id"] for r in (await client.get(f"{BASE}/requests.json?page_size=2&page=2")).json()]
    assert first == everything[:2] and second == everything[2:4]


async def test_an_empty_parameter_is_the_same_as_none(client, api_key):
    await create(client, pothole(api_key))
    plain = (await client.get(f"{BASE}/requests.json")).json()
    empty = (await client.get(f"{BASE}/requests.json?status=&service_code=&start_date=&service_request_id=")).json()
    assert plain == empty and plain


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_an_unknown_request_is_404(client, fmt):
    assert_errors(await client.get(f"{BASE}/requests/ABCDEFGH.{fmt}"), 404, fmt, contains="ABCDEFGH")
    assert_errors(await client.get(f"{BASE}/requests/not-a-reference.{fmt}"), 404, fmt)


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_span_over_90_days_is_400(client, fmt):
    params = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}
    assert_errors(await client.get(f"{BASE}/requests.{fmt}", params=params), 400, fmt, contains="90 days")


@pytest.mark.parametrize("params", [{"start_date": "yesterday"}, {"end_date": "2026-13-45T99:00:00Z"},
                                    {"start_date": "9999-12-31T00:00:00Z"},
                                    {"start_date": "0001-01-01T00:00:00+23:59"}, {"end_date": "0001-01-01T00:00:00+23:59"},
                                    {"start_date": "0001-01-01T00:00:00+23:59", "end_date": "0001-01-02T00:00:00Z"},
                                    {"end_date": "9999-12-31T23:59:59-23:59"}, {"start_date": "9999-12-31T23:59:59-23:59"}])
async def test_garbage_dates_are_400(client, params):
    assert_errors(await client.get(f"{BASE}/requests.json", params=params), 400)


async def test_an_end_before_the_start_is_400(client):
    params = {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}
    assert_errors(await client.get(f"{BASE}/requests.xml", params=params), 400, "xml", contains="before")


@pytest.mark.parametrize("query", ["status=pending", "page=0", "page_size=1001", "page_size=ten",
                                   "service_code=pot%00hole", "status=open%00", "service_request_id=AB%00CD"])
async def test_bad_filters_are_400(client, query):
    assert_errors(await client.get(f"{BASE}/requests.json?{query}"), 400)


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_tokens_are_never_issued_so_any_token_is_404(client, fmt):
    assert_errors(await client.get(f"{BASE}/tokens/12345.{fmt}"), 404, fmt, contains="realtime")


async def test_text_with_control_characters_still_gives_well_formed_xml(client, api_key):
    reference = await create(client, pothole(api_key, description="Bell\x07 rings\x0b here"))
    root = parse_xml(await client.get(f"{BASE}/requests/{reference}.xml"), "service_requests")
    assert root.find("request").findtext("description") == "Bell rings here"
