"""FixMyStreet's servicerequestupdates: updates posted to us, and our status changes read back."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from reportit.reports.status import Actor, change_status
from reportit.reports.tables import Report, StatusChange
from tests.open311.georeport import BASE, W3C, assert_errors, children, create, fields, parse_xml, pothole

UPDATE_FIELDS = ["update_id", "service_request_id", "status", "external_status_code", "description",
                 "updated_datetime", "media_url"]


def an_update(api_key: str, reference: str, **extra) -> dict:
    return {
        "api_key": api_key,
        "service_request_id": reference,
        "update_id": f"fms-{uuid.uuid4().hex[:10]}",
        "status": "FIXED",
        "description": "Filled and sealed",
        "updated_datetime": "2026-11-25T10:00:00+00:00",
        "first_name": "Sam", "last_name": "Officer", "email": "sam.officer@example.org",
        **extra,
    }


async def history(reference: str) -> list[dict]:
    report = await Report.select(Report.id).where(Report.reference == reference).first()
    return await StatusChange.select(StatusChange.to_status, StatusChange.actor, StatusChange.public_message).where(
        StatusChange.report == report["id"]
    ).order_by(StatusChange.id)


async def test_a_posted_update_closes_the_request_with_its_notes(client, api_key):
    reference = await create(client, pothole(api_key))
    response = await client.post(f"{BASE}/servicerequestupdates.xml", data=an_update(api_key, reference))

    assert response.status_code == 200, response.text
    [update] = children(parse_xml(response, "service_request_updates"), "request_update")
    assert [c.tag for c in update] == ["update_id"] and update.findtext("update_id")
    [record] = (await client.get(f"{BASE}/requests/{reference}.json")).json()
    assert record["status"] == "closed" and record["status_notes"] == "Filled and sealed"
    changes = await history(reference)
    assert changes[-1]["to_status"] == "fixed" and changes[-1]["actor"].startswith("open311:fixmystreet-")


async def test_the_same_update_id_twice_records_one_change(client, api_key):
    reference = await create(client, pothole(api_key))
    update = an_update(api_key, reference, status="IN_PROGRESS")
    first = await client.post(f"{BASE}/servicerequestupdates.json", data=update)
    again = await client.post(f"{BASE}/servicerequestupdates.json", data=update)

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()[0]["update_id"]
    assert [c["to_status"] for c in await history(reference)] == ["received", "in_progress"]


@pytest.mark.parametrize(("sent", "expected"), [
    ("INVESTIGATING", "investigating"), ("ACTION_SCHEDULED", "action_scheduled"),
    ("NOT_COUNCILS_RESPONSIBILITY", "not_council_responsibility"), ("DUPLICATE", "duplicate"),
    ("NO_FURTHER_ACTION", "no_further_action"), ("INTERNAL_REFERRAL", "referred"), ("CLOSED", "not_council_responsibility"),
])
async def test_extended_statuses_map_onto_ours(client, api_key, sent, expected):
    reference = await create(client, pothole(api_key))
    response = await client.post(f"{BASE}/servicerequestupdates.json", data=an_update(api_key, reference, status=sent))
    assert response.status_code == 200, response.text
    assert (await history(reference))[-1]["to_status"] == expected


async def test_open_on_an_open_request_keeps_its_status_and_adds_the_message(client, api_key):
    reference = await create(client, pothole(api_key))
    await client.post(f"{BASE}/servicerequestupdates.json", data=an_update(api_key, reference, status="INVESTIGATING"))
    await client.post(f"{BASE}/servicerequestupdates.json",
                      data=an_update(api_key, reference, status="OPEN", description="Inspector visiting Friday"))
    [record] = (await client.get(f"{BASE}/requests/{reference}.json")).json()
    assert record["status"] == "open" and record["status_notes"] == "Inspector visiting Friday"
    assert (await history(reference))[-1]["to_status"] == "investigating"


async def test_updates_are_listed_with_extended_statuses_and_public_messages_only(client, api_key, settings):
    reference = await create(client, pothole(api_key))
    await change_status(reference, "in_progress", settings=settings, actor=Actor("test"),
                        public_message="Crew on the way", internal_note="Overtime approved by Pat")
    await change_status(reference, "not_council_responsibility", settings=settings, actor=Actor("test"),
                        public_message="This road belongs to TfL")

    response = await client.get(f"{BASE}/servicerequestupdates.json", params={"api_key": api_key})
    assert response.status_code == 200
    mine = [u for u in response.json() if u["service_request_id"] == reference]
    assert [list(u) for u in mine] == [UPDATE_FIELDS] * 2
    assert [(u["status"], u["external_status_code"], u["description"]) for u in mine] == [
        ("in_progress", "in_progress", "Crew on the way"),
        ("not_councils_responsibility", "not_council_responsibility", "This road belongs to TfL"),
    ]
    assert all(W3C.match(u["updated_datetime"]) and u["update_id"].isdigit() for u in mine)
    assert "Overtime approved" not in response.text


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"])
async def test_update_dates_at_the_edge_of_the_calendar_are_400(client, when):
    for name in ("start_date", "end_date"):
        assert_errors(await client.get(f"{BASE}/servicerequestupdates.json", params={name: when}), 400, contains=name)


async def test_updates_in_xml_and_within_the_dates_asked_for(client, api_key, settings):
    reference = await create(client, pothole(api_key))
    await change_status(reference, "fixed", settings=settings, actor=Actor("test"), public_message="Done")

    root = parse_xml(await client.get(f"{BASE}/servicerequestupdates.xml"), "service_request_updates")
    mine = [u for u in children(root, "request_update") if u.findtext("service_request_id") == reference]
    assert [[c.tag for c in u] for u in mine] == [UPDATE_FIELDS]
    assert fields(mine[0])["status"] == "fixed" and fields(mine[0])["description"] == "Done"

    long_ago = datetime.now(timezone.utc) - timedelta(days=30)
    params = {"start_date": (long_ago - timedelta(days=1)).isoformat(), "end_date": long_ago.isoformat()}
    earlier = (await client.get(f"{BASE}/servicerequestupdates.json", params=params)).json()
    assert reference not in [u["service_request_id"] for u in earlier]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_posting_an_update_needs_a_valid_key(client, api_key, fmt):
    reference = await create(client, pothole(api_key))
    response = await client.post(f"{BASE}/servicerequestupdates.{fmt}", data=an_update("wrong", reference))
    assert_errors(response, 403, fmt, contains="api_key")
    assert len(await history(reference)) == 1


async def test_an_update_for_an_unknown_request_is_404(client, api_key):
    response = await client.post(f"{BASE}/servicerequestupdates.json", data=an_update(api_key, "ABCDEFGH"))
    assert_errors(response, 404, contains="ABCDEFGH")


async def test_an_unknown_status_or_missing_field_is_400(client, api_key):
    reference = await create(client, pothole(api_key))
    response = await client.post(f"{BASE}/servicerequestupdates.json", data=an_update(api_key, reference, status="MAYBE"))
    assert_errors(response, 400, contains="MAYBE")
    missing = {k: v for k, v in an_update(api_key, reference).items() if k != "update_id"}
    assert_errors(await client.post(f"{BASE}/servicerequestupdates.json", data=missing), 400, contains="update_id")
    for when in ("0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"):
        edge = an_update(api_key, reference, updated_datetime=when)
        assert_errors(await client.post(f"{BASE}/servicerequestupdates.json", data=edge), 400, contains="updated_datetime")
    nul = an_update(api_key, reference, description="Filled\x00in")
    assert_errors(await client.post(f"{BASE}/servicerequestupdates.json", data=nul), 400, contains="description")
    garbage = an_update(api_key, reference, updated_datetime="last week")
    assert_errors(await client.post(f"{BASE}/servicerequestupdates.json", data=garbage), 400, contains="updated_datetime")
    assert len(await history(reference)) == 1


async def test_an_update_id_that_failed_can_be_sent_again(client, api_key):
    reference = await create(client, pothole(api_key))
    update = an_update(api_key, reference, description="x" * 4001)
    assert_errors(await client.post(f"{BASE}/servicerequestupdates.json", data=update), 400, contains="description")
    fixed = {**update, "description": "Done"}
    assert (await client.post(f"{BASE}/servicerequestupdates.json", data=fixed)).status_code == 200
    assert (await history(reference))[-1]["public_message"] == "Done"
