"""Every kind of bad input gets a clear 4xx and leaves no row and no file behind."""

from __future__ import annotations

import json
import os
import uuid

import pytest

from reportit.reports.tables import Photo, Report, StatusChange
from tests.api.test_reports_api import WESTMINSTER, pothole, post_multipart, send
from tests.photo_samples import jpeg_with_exif, not_an_image, png_bomb, truncated_jpeg


@pytest.fixture
async def nothing_left_behind(settings):
    """Asserts, after the test, that no report, photo, status row or photo file was added."""

    async def counts():
        root = settings.config.photos_dir
        files = sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []
        return (await Report.count(), await Photo.count(), await StatusChange.count(), files)

    before = await counts()
    yield
    assert await counts() == before


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] and body["detail"]
    if field:
        fields = [e["field"] for e in body["errors"]]
        assert field in fields, fields
        assert all(len(e["message"]) > 10 for e in body["errors"])
    return body


@pytest.mark.parametrize(
    "photo, expected",
    [
        (not_an_image(), "isn't a photo"),
        (truncated_jpeg(), "damaged"),
        (png_bomb(20000, 20000), "too large"),
    ],
    ids=["text-named-jpg", "truncated-jpeg", "png-20000x20000"],
)
async def test_a_bad_photo_is_refused_with_a_reason(client, device, nothing_left_behind, photo, expected):
    # A good photo goes first: it is processed, then the bad one must still leave nothing behind.
    response = await send(client, device, pothole(), photos=[jpeg_with_exif(), photo])
    body = assert_problem(response, 422, "photo")
    assert "Photo 2" in body["errors"][0]["message"]
    assert expected in body["errors"][0]["message"]


async def test_six_photos_are_refused(client, device, nothing_left_behind):
    photo = jpeg_with_exif(width=64, height=48)
    response = await send(client, device, pothole(), photos=[photo] * 6)
    body = assert_problem(response, 422, "photo")
    assert "up to 5 photos" in body["detail"]


async def test_a_photo_over_the_size_limit_is_refused(client, device, settings, nothing_left_behind):
    oversized = b"\xff\xd8\xff\xe0" + os.urandom(settings.config.max_photo_bytes)
    response = await send(client, device, pothole(), photos=[oversized])
    body = assert_problem(response, 413, "photo")
    assert "smaller than 15 MB" in body["detail"]


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"category": "unicorns"}, "category", "don't know that kind of problem"),
        ({"category": ""}, "category", "Choose what kind of problem"),
        ({"category": "crime"}, "category", "Metropolitan Police deals with this"),
        ({"answers": json.dumps({"size": "large"})}, "answers.danger", "Please answer: Is anyone in immediate danger?"),
        ({"answers": json.dumps({"danger": "yes"})}, "answers.danger", "Call 999 now"),
        ({"answers": json.dumps({"danger": "maybe"})}, "answers.danger", "Choose one of the options"),
        ({"answers": "{not json"}, "answers", "could not be read"),
        ({"latitude": "91", "longitude": "0"}, "latitude", "between -90 and 90"),
        ({"latitude": "51.5", "longitude": "-181"}, "longitude", "between -180 and 180"),
        ({"latitude": "53.4808", "longitude": "-2.2426"}, "latitude",
         "outside the area Westminster City Council looks after"),
        ({"latitude": "north", "longitude": "west"}, "latitude", "could not be read"),
        ({"description": "x" * 4001}, "description", "4000 characters or fewer (it is 4001)"),
        ({"contact_email": "not an email"}, "contact_email", "like name@example.com"),
        ({"colour": "red"}, "colour", "don't know the field 'colour'"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
async def test_a_wrong_field_is_named_with_a_message_a_resident_understands(
    client, device, nothing_left_behind, changes, field, words
):
    response = await send(client, device, pothole(**changes))
    body = assert_problem(response, 422, field)
    messages = " ".join(e["message"] for e in body["errors"])
    assert words in messages


async def test_no_location_at_all_asks_where_the_problem_is(client, device, nothing_left_behind):
    data = {k: v for k, v in pothole().items() if k not in WESTMINSTER}
    body = assert_problem(await send(client, device, data), 422, "location")
    assert "describe the place" in body["detail"]


async def test_a_photo_taken_elsewhere_does_not_locate_the_report(client, device, nothing_left_behind):
    data = {k: v for k, v in pothole().items() if k not in WESTMINSTER}
    manchester = jpeg_with_exif(gps=(53.4808, -2.2426))
    body = assert_problem(await send(client, device, data, photos=[manchester]), 422, "location")
    assert "outside the area" in body["detail"]


async def test_several_problems_are_reported_together(client, device, nothing_left_behind):
    response = await send(client, device, pothole(description="x" * 5000, contact_email="nope", latitude="99"))
    body = assert_problem(response, 422)
    assert {e["field"] for e in body["errors"]} >= {"description", "contact_email", "latitude"}


@pytest.mark.parametrize("key", ["not-a-uuid", "12345", "' OR 1=1 --"])
async def test_a_malformed_idempotency_key_is_refused(client, device, nothing_left_behind, key):
    body = assert_problem(await send(client, device, pothole(), key=key), 400, "Idempotency-Key")
    assert "must be a UUID" in body["detail"]


@pytest.mark.parametrize(
    "authorization, words",
    [
        (None, "register this phone"),
        ("Bearer not-a-real-token", "not valid any more"),
        ("Basic dXNlcjpwYXNz", "cannot read"),
    ],
)
async def test_a_bad_or_missing_device_token_is_refused(client, nothing_left_behind, authorization, words):
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    if authorization:
        headers["Authorization"] = authorization
    response = await post_multipart(client, pothole(), [], headers)
    body = assert_problem(response, 401)
    assert words in body["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_my_reports_needs_a_device_token(client):
    assert_problem(await client.get("/api/me/reports"), 401)


async def test_a_report_that_is_not_multipart_is_refused(client, device, nothing_left_behind):
    response = await client.post("/api/reports", json=pothole(), headers=device["headers"])
    assert_problem(response, 415)


async def test_unknown_api_paths_answer_in_problem_json(client):
    response = await client.get("/api/nothing-here")
    assert_problem(response, 404)


# Input that once crashed the server (a 5xx, which the app retries for ever) is a 4xx naming the field.
DEEP_JSON = "[" * 50_000
EDGE_DATES = ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"]


async def test_deeply_nested_answers_are_refused_with_a_field_message(client, device, nothing_left_behind):
    response = await send(client, device, pothole(answers=DEEP_JSON))
    assert_problem(response, 422, "answers")


@pytest.mark.parametrize("method, path", [
    ("PUT", "/api/me/push-subscription"), ("DELETE", "/api/me/push-subscription"),
    ("POST", "/api/reports/{reference}/follow"), ("POST", "/api/session"),
])
@pytest.mark.parametrize("depth", [5_000, 50_000])
async def test_deeply_nested_json_is_refused_by_every_json_route(client, device, method, path, depth):
    reference = (await send(client, device, pothole())).json()["reference"]
    headers = {**device["headers"], "Content-Type": "application/json"}
    response = await client.request(method, path.format(reference=reference), content="[" * depth, headers=headers)
    # Under a route's size cap the parser sees it (400); over it, it is refused unread (413).
    assert_problem(response, 400 if depth <= 5_000 else response.status_code)
    assert response.status_code in (400, 413)


@pytest.mark.parametrize("when", EDGE_DATES)
async def test_a_time_at_the_edge_of_the_calendar_is_refused(client, device, nothing_left_behind, when):
    response = await send(client, device, pothole(observed_at=when))
    assert_problem(response, 422, "observed_at")


@pytest.mark.parametrize("field, value", [
    ("description", "Deep\x00hole"), ("location_text", "By the\x00church"), ("contact_name", "Sam\x00"),
    ("answers", json.dumps({"danger": "no", "size": "large\x00"})), ("answers", '{"danger\\u0000": "no"}'),
])
async def test_a_nul_character_in_a_text_field_is_refused(client, device, nothing_left_behind, field, value):
    response = await send(client, device, pothole(**{field: value}))
    body = assert_problem(response, 422)
    assert any(e["field"].startswith(field) for e in body["errors"]), body


async def test_a_nul_character_in_json_is_refused(client, device):
    reference = (await send(client, device, pothole())).json()["reference"]
    response = await client.post(f"/api/reports/{reference}/follow", json={"email": "sam\x00@example.com"},
                                 headers=device["headers"])
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    signing_in = await client.post("/api/session", json={"email": "a\x00@example.com", "password": "x\x00"})
    assert signing_in.status_code in (400, 401, 422), signing_in.text
