"""Report intake over HTTP, the way the resident app (and anything else) calls it."""

from __future__ import annotations

import re
import asyncio
import io
import json
import uuid

from PIL import Image

from reportit.reports.photos import assert_no_metadata
from reportit.reports.tables import Photo, Report, StatusChange
from tests.photo_samples import jpeg_with_exif, png_bytes
from reportit.app_state import services

WESTMINSTER = {"latitude": "51.4975", "longitude": "-0.1357", "accuracy": "12", "location_source": "device"}


def pothole(**extra) -> dict:
    return {
        "category": "pothole",
        "answers": json.dumps({"danger": "no", "size": "large"}),
        "description": "Deep hole by the zebra crossing",
        **WESTMINSTER,
        **extra,
    }


async def send(client, device, data, photos=(), key=None, headers=None):
    files = [("photo", (f"photo{i}.jpg", content, "image/jpeg")) for i, content in enumerate(photos)]
    request_headers = {**device["headers"], "Idempotency-Key": key or str(uuid.uuid4()), **(headers or {})}
    return await post_multipart(client, data, files, request_headers)


async def post_multipart(client, data, files, headers, path="/api/reports"):
    """A multipart body built by hand, so photo-less reports are multipart too (as the app sends them)."""
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in data.items():
        body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode())
        body.write(str(value).encode() + b"\r\n")
    for name, (filename, content, content_type) in files:
        body.write(
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        body.write(content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return await client.post(
        path,
        content=body.getvalue(),
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


async def test_a_report_with_a_photo_is_stored_and_gets_a_permanent_reference(client, device):
    response = await send(client, device, pothole(), photos=[jpeg_with_exif()])

    assert response.status_code == 201, response.text
    body = response.json()
    reference = body["reference"]
    assert len(reference) == 8 and not set(reference) & set("01OIL")
    assert body["url"].endswith(f"/r/{reference}")
    assert response.headers["location"] == f"/api/reports/{reference}"
    assert body["status"] == {"code": "received", "name": "Received", "kind": "open"}
    assert body["location"] == {"latitude": 51.4975, "longitude": -0.1357, "accuracy": 12.0,
                                "source": "device", "description": "",
                                "usrn": None, "street": None, "ward": None, "words": ""}
    assert body["answers"] == {"danger": "no", "size": "large"}
    assert len(body["photos"]) == 1
    assert [h["status"] for h in body["history"]] == ["received"]

    photo = await client.get(body["photos"][0]["url"])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert_no_metadata(photo.content)
    thumb = await client.get(body["photos"][0]["thumbnail_url"])
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 400

    public = await client.get(f"/api/reports/{reference}")
    assert public.status_code == 200
    assert "contact" not in public.json()


async def test_the_reporter_sees_their_contact_details_and_others_do_not(client, device):
    created = await send(client, device, pothole(contact_email="sam@example.com", contact_name="Sam Jones"))
    reference = created.json()["reference"]
    mine = await client.get(f"/api/reports/{reference}", headers=device["headers"])
    assert mine.json()["contact"] == {"name": "Sam Jones", "email": "sam@example.com", "phone": ""}

    stranger = (await client.post("/api/devices")).json()
    theirs = await client.get(f"/api/reports/{reference}", headers={"Authorization": f"Bearer {stranger['token']}"})
    assert theirs.status_code == 200
    assert "sam@example.com" not in theirs.text and "Sam Jones" not in theirs.text


async def test_my_reports_lists_only_this_devices_reports_newest_first(client, device):
    first = (await send(client, device, pothole(description="first"))).json()["reference"]
    second = (await send(client, device, pothole(description="second"))).json()["reference"]
    other = (await client.post("/api/devices")).json()
    await send(client, {"headers": {"Authorization": f"Bearer {other['token']}"}}, pothole(description="not mine"))

    response = await client.get("/api/me/reports", headers=device["headers"])
    assert response.status_code == 200
    assert [r["reference"] for r in response.json()["reports"]] == [second, first]


async def test_repeat_with_same_key_returns_the_stored_report(client, device):
    key = str(uuid.uuid4())
    photo = jpeg_with_exif()
    first = await send(client, device, pothole(), photos=[photo], key=key)
    again = await send(client, device, pothole(), photos=[photo], key=key)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert await Report.count().where(Report.idempotency_key == uuid.UUID(key)) == 1


async def test_same_key_with_different_content_is_refused(client, device):
    key = str(uuid.uuid4())
    assert (await send(client, device, pothole(), key=key)).status_code == 201
    different = await send(client, device, pothole(description="something else"), key=key)
    assert different.status_code == 422
    assert different.headers["content-type"] == "application/problem+json"
    assert different.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_a_renewed_registration_still_gets_its_report_back_but_not_a_different_one(client, device):
    key = str(uuid.uuid4())
    first = await send(client, device, pothole(), key=key)
    renewed = {"headers": {"Authorization": f"Bearer {(await client.post('/api/devices')).json()['token']}"}}

    again = await send(client, renewed, pothole(), key=key)
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert (await send(client, renewed, pothole(description="other"), key=key)).status_code == 422


async def test_a_repeat_is_answered_even_if_the_form_would_now_be_refused(client, device, app, settings):
    """The first attempt was stored but its answer lost; meanwhile a question became required."""
    from dataclasses import replace

    key = str(uuid.uuid4())
    data = {**pothole(), "answers": json.dumps({"danger": "no"})}
    first = await send(client, device, data, key=key)
    pothole_config = settings.catalogue.category("pothole")
    stricter = replace(pothole_config, questions=tuple(replace(q, required=True) for q in pothole_config.questions))
    services(app).settings = replace(settings, catalogue=replace(settings.catalogue, categories=tuple(
        stricter if c.code == "pothole" else c for c in settings.catalogue.categories)))
    try:
        assert (await send(client, device, data)).status_code == 422  # a new report would be refused
        again = await send(client, device, data, key=key)
    finally:
        services(app).settings = settings
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]


async def test_concurrent_repeats_with_one_key_store_one_report(client, device):
    key = str(uuid.uuid4())
    photo = jpeg_with_exif()
    responses = await asyncio.gather(*(send(client, device, pothole(), photos=[photo], key=key) for _ in range(6)))

    assert sorted(r.status_code for r in responses).count(201) == 1
    assert all(r.status_code in (200, 201) for r in responses)
    assert len({r.json()["reference"] for r in responses}) == 1
    stored = await Report.select(Report.id).where(Report.idempotency_key == uuid.UUID(key))
    assert len(stored) == 1
    assert await Photo.count().where(Photo.report == stored[0]["id"]) == 1
    assert await StatusChange.count().where(StatusChange.report == stored[0]["id"]) == 1


async def test_photo_gps_gives_the_location_only_when_the_report_has_none(client, device):
    no_location = {k: v for k, v in pothole().items() if k not in WESTMINSTER}
    from_photo = await send(client, device, no_location, photos=[jpeg_with_exif(gps=(51.5010, -0.1420))])
    assert from_photo.status_code == 201, from_photo.text
    location = from_photo.json()["location"]
    assert location["source"] == "photo"
    assert abs(location["latitude"] - 51.5010) < 1e-4 and abs(location["longitude"] + 0.1420) < 1e-4

    from_device = await send(client, device, pothole(), photos=[jpeg_with_exif(gps=(51.5010, -0.1420))])
    assert from_device.json()["location"]["source"] == "device"
    assert from_device.json()["location"]["latitude"] == 51.4975


async def test_a_place_described_in_words_is_enough(client, device):
    data = {**{k: v for k, v in pothole().items() if k not in WESTMINSTER},
            "location_text": "Outside the library on Marylebone Road"}
    response = await send(client, device, data)
    assert response.status_code == 201, response.text
    assert response.json()["location"]["source"] == "text"
    assert response.json()["location"]["description"] == "Outside the library on Marylebone Road"


async def test_several_photo_formats_are_accepted_and_re_encoded(client, device):
    response = await send(client, device, pothole(), photos=[png_bytes(300, 200, alpha=True), jpeg_with_exif()])
    assert response.status_code == 201, response.text
    assert len(response.json()["photos"]) == 2


async def test_openapi_describes_every_api_route(client, app):
    spec = (await client.get("/api/openapi.json")).json()
    # OpenAPI has no converters: Starlette's `{reference:path}` is `{reference}` there.
    api_paths = {re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path) for route in app.routes
                 if getattr(route, "path", "").startswith("/api/")}
    assert api_paths and api_paths <= set(spec["paths"])
    assert "multipart/form-data" in spec["paths"]["/api/reports"]["post"]["requestBody"]["content"]
