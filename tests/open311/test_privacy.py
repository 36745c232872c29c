"""Privacy: no reporter details anywhere in Open311, and private or hidden reports never shown."""

from __future__ import annotations

import pytest

from reportit.reports.status import Actor, change_status
from reportit.reports.tables import Report
from tests.open311.georeport import BASE, assert_errors, create, pothole

CONTACT = {"email": "jo.resident@example.net", "first_name": "Joanna", "last_name": "Residentova",
           "phone": "07700 900982", "device_id": "device-7f3a9c", "account_id": "account-5521"}


def every_read(reference: str) -> list[str]:
    urls = []
    for fmt in ("json", "xml"):
        urls += [f"{BASE}/requests/{reference}.{fmt}", f"{BASE}/requests.{fmt}",
                 f"{BASE}/requests.{fmt}?service_request_id={reference}", f"{BASE}/requests.{fmt}?status=closed",
                 f"{BASE}/servicerequestupdates.{fmt}"]
    return urls


async def test_contact_details_and_device_ids_appear_in_no_response(client, api_key, settings):
    created = await client.post(f"{BASE}/requests.json", data=pothole(api_key, **CONTACT))
    assert created.status_code == 200
    reference = created.json()[0]["service_request_id"]
    stored = await Report.objects().where(Report.reference == reference).first()
    assert stored.contact_email == CONTACT["email"] and stored.contact_name == "Joanna Residentova"
    await change_status(reference, "fixed", settings=settings, actor=Actor("test"), public_message="Done")

    responses = [created] + [await client.get(url) for url in every_read(reference)]
    assert all(r.status_code == 200 for r in responses)
    assert reference in responses[1].text
    for response in responses:
        for secret in (*CONTACT.values(), "Joanna", "07700"):
            assert secret not in response.text, (response.url, secret)


async def test_a_private_category_request_is_never_listed_or_fetched(client, api_key, settings):
    data = {"api_key": api_key, "service_code": "noise_neighbour", "lat": "51.5", "long": "-0.14",
            "attribute[threatened]": "no", "description": "Music every night until 4am"}
    reference = await create(client, data)
    await change_status(reference, "investigating", settings=settings, actor=Actor("test"), public_message="Visiting")

    for fmt in ("json", "xml"):
        assert_errors(await client.get(f"{BASE}/requests/{reference}.{fmt}"), 404, fmt)
    for url in every_read(reference):
        if f"/requests/{reference}." in url:
            continue
        response = await client.get(url)
        assert response.status_code == 200 and reference not in response.text, url
        assert "Music every night" not in response.text and "Visiting" not in response.text


async def test_a_hidden_report_is_not_shown(client, api_key):
    reference = await create(client, pothole(api_key))
    await Report.update({Report.hidden: True}).where(Report.reference == reference)
    assert_errors(await client.get(f"{BASE}/requests/{reference}.json"), 404)
    listed = (await client.get(f"{BASE}/requests.json?service_request_id={reference}")).json()
    assert listed == []


@pytest.mark.parametrize("path", ["requests.json", "servicerequestupdates.json"])
async def test_the_api_key_is_never_echoed(client, api_key, path):
    response = await client.post(f"{BASE}/{path}", data=pothole(api_key, service_code="unicorns"))
    assert response.status_code in (400, 404)
    assert api_key not in response.text
