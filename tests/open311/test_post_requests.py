"""POST requests as FixMyStreet and other GeoReport clients send them: form fields, api_key in the body."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from PIL import Image

from reportit.open311.tables import MediaLink
from reportit.reports.photos import assert_no_metadata
from reportit.reports.tables import Photo, Report, StatusChange
from tests.api.test_reports_api import post_multipart
from tests.open311.georeport import BASE, INSIDE, assert_errors, children, create, parse_xml, post_request, pothole
from tests.photo_samples import jpeg_with_exif


def answers_of(report: Report) -> dict:
    # The JSON column reads back as text on SQLite and as a dict on PostgreSQL.
    return report.answers if isinstance(report.answers, dict) else json.loads(report.answers)


async def test_a_fixmystreet_post_in_xml_creates_a_report_and_answers_with_its_id(client, api_key, settings):
    data = pothole(
        api_key,
        **{"attribute[where_on_road]": "cycle_lane", "attribute[title]": "FixMyStreet's own attribute",
           "attribute[report_url]": "https://www.fixmystreet.com/report/1", "jurisdiction_id": "westminster.gov.uk",
           "device_id": "device-123", "account_id": "acct-9",
           "media_url": ["https://photos.example.org/a.jpg", "https://photos.example.org/b.jpg"]},
    )
    response = await post_request(client, data, fmt="xml")

    assert response.status_code == 200, response.text
    [request] = children(parse_xml(response, "service_requests"), "request")
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    reference = request.findtext("service_request_id")
    assert request.find("account_id").text is None  # an empty element: we keep no accounts
    report = await Report.objects().where(Report.reference == reference).first()
    assert report is not None and report.source == "open311"
    assert answers_of(report) == {"danger": "no", "size": "large", "where_on_road": "cycle_lane"}
    assert (report.latitude, report.longitude) == (51.4975, -0.1357)
    links = await MediaLink.select(MediaLink.url).where(MediaLink.report == report.id).order_by(MediaLink.position)
    assert [row["url"] for row in links] == ["https://photos.example.org/a.jpg", "https://photos.example.org/b.jpg"]
    [arrival] = await StatusChange.select(StatusChange.actor).where(StatusChange.report == report.id)
    assert arrival["actor"].startswith("open311:fixmystreet-")


async def test_the_json_answer_is_an_array_of_one_with_a_notice(client, api_key, settings):
    response = await post_request(client, pothole(api_key))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    [created] = response.json()
    assert list(created) == ["service_request_id", "service_notice", "account_id"]
    assert isinstance(created["service_request_id"], str) and len(created["service_request_id"]) == 8
    assert created["service_notice"] == settings.catalogue.status(settings.catalogue.initial_status).description
    assert created["account_id"] is None


async def test_multivaluelist_answers_arrive_as_attribute_code_brackets(client, api_key):
    data = {"api_key": api_key, "service_code": "graffiti", **INSIDE, "attribute[offensive]": "no",
            "attribute[surface][]": ["wall", "shopfront"]}
    reference = await create(client, data)
    report = await Report.objects().where(Report.reference == reference).first()
    assert answers_of(report) == {"offensive": "no", "surface": ["wall", "shopfront"]}


async def test_an_address_string_is_enough_for_a_location(client, api_key):
    data = pothole(api_key, lat="", long="", address_string="Outside 10 Marylebone Road")
    reference = await create(client, data)
    report = await Report.objects().where(Report.reference == reference).first()
    assert report.location_text == "Outside 10 Marylebone Road" and report.latitude is None


async def test_a_multipart_media_upload_is_stored_as_a_re_encoded_photo(client, api_key):
    data = {k: v for k, v in pothole(api_key).items()}
    photo = jpeg_with_exif(gps=(51.5010, -0.1420))
    response = await post_multipart(client, data, [("media", ("pothole.jpg", photo, "image/jpeg"))], {},
                                    path=f"{BASE}/requests.json")
    assert response.status_code == 200, response.text
    reference = response.json()[0]["service_request_id"]

    report = await Report.objects().where(Report.reference == reference).first()
    [stored] = await Photo.select(Photo.key).where(Photo.report == report.id)
    shown = (await client.get(f"{BASE}/requests/{reference}.json")).json()[0]
    assert shown["media_url"] == f"http://testserver/media/{stored['key']}.jpg"
    image = await client.get(shown["media_url"].removeprefix("http://testserver"))
    assert image.status_code == 200
    assert_no_metadata(image.content)
    assert Image.open(io.BytesIO(image.content)).format == "JPEG"


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_missing_api_key_is_403(client, api_key, fmt):
    data = {k: v for k, v in pothole(api_key).items() if k != "api_key"}
    assert_errors(await post_request(client, data, fmt), 403, fmt, contains="api_key")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_wrong_api_key_is_403_and_stores_nothing(client, fmt):
    description = f"never stored {uuid.uuid4()}"
    response = await post_request(client, pothole("ri311_not-a-real-key", description=description), fmt)
    assert_errors(response, 403, fmt, contains="Invalid api_key")
    assert not await Report.exists().where(Report.description == description)


async def test_an_inactive_key_is_refused(client, api_key):
    from reportit.open311.keys import key_for
    from reportit.open311.tables import ApiKey

    key = await key_for(api_key)
    await ApiKey.update({ApiKey.active: False}).where(ApiKey.id == key.id)
    assert_errors(await post_request(client, pothole(api_key)), 403)


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_an_unknown_service_code_is_404(client, api_key, fmt):
    response = await post_request(client, pothole(api_key, service_code="unicorns"), fmt)
    assert_errors(response, 404, fmt, contains="unicorns")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_latitude_that_is_not_a_number_is_400(client, api_key, fmt):
    response = await post_request(client, pothole(api_key, lat="north-ish"), fmt)
    assert_errors(response, 400, fmt, contains="lat: ")


async def test_a_place_outside_the_council_area_is_400_and_says_so(client, api_key, settings):
    response = await post_request(client, pothole(api_key, lat="53.4808", long="-2.2426"))
    assert_errors(response, 400, contains=f"outside the area {settings.catalogue.council.name} looks after")


async def test_a_missing_location_is_400(client, api_key):
    response = await post_request(client, pothole(api_key, lat="", long=""))
    assert_errors(response, 400, contains="A location is required")
    assert_errors(await post_request(client, pothole(api_key, long="")), 400, contains="lat and long")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_missing_required_attribute_is_400_naming_it(client, api_key, fmt):
    data = {k: v for k, v in pothole(api_key).items() if k != "attribute[danger]"}
    assert_errors(await post_request(client, data, fmt), 400, fmt, contains="attribute[danger]: ")


async def test_a_value_not_in_the_list_is_400(client, api_key):
    response = await post_request(client, pothole(api_key, **{"attribute[size]": "enormous"}))
    assert_errors(response, 400, contains="attribute[size]")


async def test_a_blocking_choice_is_refused_with_its_message(client, api_key):
    response = await post_request(client, pothole(api_key, **{"attribute[danger]": "yes"}))
    assert_errors(response, 400, contains="Call 999 now")


async def test_several_problems_give_several_errors(client, api_key):
    data = {**pothole(api_key, email="not-an-email", **{"attribute[size]": "enormous"})}
    descriptions = assert_errors(await post_request(client, data), 400)
    assert any(d.startswith("email: ") for d in descriptions) and any(d.startswith("attribute[size]: ") for d in descriptions)


async def test_a_description_over_4000_characters_is_400(client, api_key):
    response = await post_request(client, pothole(api_key, description="x" * 4001))
    assert_errors(response, 400, contains="4000")


@pytest.mark.parametrize("field", ["description", "address_string", "first_name", "attribute[size]", "api_key"])
async def test_a_nul_character_in_any_field_is_400_naming_it(client, api_key, field):
    data = pothole(api_key)
    data[field] = data.get(field, "large") + "\x00"
    assert_errors(await post_request(client, data), 400, contains=field)


async def test_a_media_url_that_is_not_http_is_400(client, api_key):
    response = await post_request(client, pothole(api_key, media_url="file:///etc/passwd"))
    assert_errors(response, 400, contains="media_url")


async def test_a_json_body_is_400_not_a_crash(client, api_key):
    response = await client.post(f"{BASE}/requests.json", json=pothole(api_key))
    assert_errors(response, 400, contains="x-www-form-urlencoded")


async def test_a_file_in_the_wrong_multipart_field_is_400(client, api_key):
    response = await post_multipart(client, pothole(api_key), [("photo", ("a.jpg", jpeg_with_exif(), "image/jpeg"))], {},
                                    path=f"{BASE}/requests.json")
    assert_errors(response, 400, contains="media")
