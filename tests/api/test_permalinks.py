"""Permanent pages, stored photos and private reports, seen by the public, the reporter and staff."""

from __future__ import annotations

import io
import json
import secrets

import pytest
from PIL import Image
from piccolo_api.session_auth.tables import SessionsBase

from reportit.accounts.staff import add_staff
from reportit.reports.photos import assert_no_metadata
from reportit.reports.status import Actor, change_status
from tests.api.test_reports_api import pothole, send
from tests.photo_samples import jpeg_with_exif
from reportit.app_state import services


def neighbour_noise() -> dict:
    return {
        "category": "noise_neighbour",
        "answers": json.dumps({"threatened": "no", "how_often": "daily"}),
        "description": "Music until 3am at number 12",
        "location_text": "Flat 3, 12 Example Street",
        "contact_email": "resident@example.com",
        "contact_name": "Alex Resident",
    }


@pytest.fixture
async def staff_cookies():
    user = await add_staff(f"officer-{secrets.token_hex(4)}@westminster.example", "correct horse battery", "officer")
    session = await SessionsBase.create_session(user_id=user.id)
    return {"id": session.token}


def colour_at(image: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    return image.getpixel((int(image.width * x), int(image.height * y)))[:3]


def near(colour, expected, tolerance=60) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


async def test_stored_photos_are_upright_and_carry_no_metadata(client, device, app):
    # 800x600 stored with Orientation=6: the upright picture is 600x800.
    response = await send(client, device, pothole(), photos=[jpeg_with_exif(width=800, height=600, orientation=6)])
    photo = response.json()["photos"][0]
    key = photo["url"].removeprefix("/media/").removesuffix(".jpg")
    path = services(app).photo_store.path_for(key)
    stored = path.read_bytes()

    assert path.parent.name == key[2:4] and path.parent.parent.name == key[:2]
    assert_no_metadata(stored)
    for marker in (b"Exif", b"GPS", b"http://ns.adobe.com/xap", b"ICC_PROFILE"):
        assert marker not in stored
    image = Image.open(io.BytesIO(stored))
    assert (image.width, image.height) == (600, 800) == (photo["width"], photo["height"])
    assert not image.getexif()


async def test_the_permanent_page_shows_the_report_without_javascript(client, device):
    created = (await send(client, device, pothole(contact_email="sam@example.com", contact_name="Sam Jones"),
                          photos=[jpeg_with_exif()])).json()
    reference = created["reference"]
    await change_status(reference, "investigating", settings=services(client._transport.app).settings,
                        actor=Actor("test"), public_message="An inspector will visit on Monday.",
                        internal_note="Contractor Smith & Co, job 4471")

    page = await client.get(f"/r/{reference}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert "<script" not in html
    assert "Pothole" in html and f"{reference[:4]}-{reference[4:]}" in html
    assert "Investigating" in html and "An inspector will visit on Monday." in html
    assert "Received" in html
    assert "Bigger than a dinner plate" in html  # answers shown with their labels
    assert created["photos"][0]["thumbnail_url"] in html
    for secret in ("sam@example.com", "Sam Jones", "Contractor Smith", "4471"):
        assert secret not in html


async def test_a_reference_typed_loosely_redirects_to_the_permanent_page(client, device):
    reference = (await send(client, device, pothole())).json()["reference"]
    loose = f"{reference[:4].lower()}-{reference[4:].lower()}"
    response = await client.get(f"/r/{loose}")
    assert response.status_code == 301
    assert response.headers["location"] == f"/r/{reference}"


async def test_an_unknown_reference_gets_a_helpful_not_found_page(client):
    response = await client.get("/r/ZZZZ2222", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "We can't show this report" in response.text
    assert "8 letters and numbers" in response.text
    assert (await client.get("/api/reports/ZZZZ2222")).status_code == 404


async def test_the_start_page_finds_a_report_by_reference(client, device):
    reference = (await send(client, device, pothole())).json()["reference"]
    found = await client.get("/r", params={"reference": f" {reference[:4]} {reference[4:]} ".lower()})
    assert found.status_code == 303 and found.headers["location"] == f"/r/{reference}"
    wrong = await client.get("/r", params={"reference": "nope"}, headers={"Accept": "text/html"})
    assert wrong.status_code == 400 and "There is a problem" in wrong.text


async def test_a_private_report_shows_nothing_to_strangers(client, device, staff_cookies):
    # A picture no public report has (identical bytes are stored once, and public if any report is).
    created = await send(client, device, neighbour_noise(), photos=[jpeg_with_exif(width=333, height=222)])
    assert created.status_code == 201, created.text
    body = created.json()
    reference, photo_url = body["reference"], body["photos"][0]["url"]
    assert body["private"] is True

    stranger = {"Authorization": f"Bearer {(await client.post('/api/devices')).json()['token']}"}
    for headers in ({}, stranger):
        assert (await client.get(f"/api/reports/{reference}", headers=headers)).status_code == 404
        assert (await client.get(photo_url, headers=headers)).status_code == 404
        assert (await client.get(body["photos"][0]["thumbnail_url"], headers=headers)).status_code == 404
    page = await client.get(f"/r/{reference}", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "Music until 3am" not in page.text and "12 Example Street" not in page.text

    mine = await client.get(f"/api/reports/{reference}", headers=device["headers"])
    assert mine.status_code == 200 and mine.json()["contact"]["email"] == "resident@example.com"
    reporters_photo = await client.get(photo_url, headers=device["headers"])
    assert reporters_photo.status_code == 200
    assert "private" in reporters_photo.headers["cache-control"]

    client.cookies.update(staff_cookies)
    try:
        assert (await client.get(f"/api/reports/{reference}")).status_code == 200
        assert (await client.get(photo_url)).status_code == 200
        staff_page = await client.get(f"/r/{reference}", headers={"Accept": "text/html"})
        assert staff_page.status_code == 200 and "Music until 3am" in staff_page.text
    finally:
        client.cookies.clear()


async def get_with_device_cookie(client, url: str, cookie: str | None, **kwargs):
    """As a browser with this device cookie (or none) asks for `url` by itself."""
    client.cookies.clear()
    if cookie is not None:
        client.cookies.set("reportit_device", cookie)
    try:
        return await client.get(url, **kwargs)
    finally:
        client.cookies.clear()


async def test_a_private_report_page_says_private_only_to_the_phone_that_sent_it(client, device):
    reference = (await send(client, device, neighbour_noise())).json()["reference"]
    html = {"Accept": "text/html"}
    # The app's own phone: the cookie My reports renews (a link carries no bearer token).
    mine = await client.get("/api/me/reports", headers=device["headers"])
    assert mine.status_code == 200
    cookie = mine.cookies["reportit_device"]
    assert "httponly" in mine.headers["set-cookie"].lower()

    reporter = await get_with_device_cookie(client, f"/r/{reference}", cookie, headers=html)
    assert reporter.status_code == 403
    assert "This report is private" in reporter.text and "My reports" in reporter.text
    for secret in ("Music until 3am", "12 Example Street", "resident@example.com"):
        assert secret not in reporter.text

    # Anyone else (another phone, a made-up cookie, no cookie) cannot tell it from no report at all.
    other = (await client.post("/api/devices")).cookies["reportit_device"]
    unknown = await get_with_device_cookie(client, "/r/ZZZZ2222", None, headers=html)
    for someone in (other, "made-up", None):
        stranger = await get_with_device_cookie(client, f"/r/{reference}", someone, headers=html)
        assert stranger.status_code == 404
        assert stranger.text.replace(reference, "ZZZZ2222") == unknown.text


async def test_the_reporters_cookie_shows_their_private_photos(client, device):
    body = (await send(client, device, neighbour_noise(), photos=[jpeg_with_exif(width=334, height=223)])).json()
    cookie = (await client.get("/api/me/reports", headers=device["headers"])).cookies["reportit_device"]
    thumb = body["photos"][0]["thumbnail_url"]
    assert (await get_with_device_cookie(client, thumb, None)).status_code == 404
    shown = await get_with_device_cookie(client, thumb, cookie)
    assert shown.status_code == 200 and "private" in shown.headers["cache-control"]


async def test_public_photos_are_cached_briefly_so_hiding_one_takes_effect(client, device):
    body = (await send(client, device, pothole(), photos=[jpeg_with_exif()])).json()
    response = await client.get(body["photos"][0]["url"])
    assert response.headers["cache-control"] == "public, max-age=3600"


async def test_pages_and_api_answers_carry_security_headers(client):
    response = await client.get("/find", headers={"Accept": "text/html"})
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_page_styles_are_versioned_by_content_and_cached_for_a_year(client):
    page = await client.get("/find", headers={"Accept": "text/html"})
    href = page.text.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert href.startswith("/static/pages.css?v=")
    css = await client.get(href)
    assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    assert (await client.get("/static/pages.css")).headers["cache-control"] == "no-cache"
    assert (await client.get("/favicon.ico")).headers["location"] == "/app/icons/icon-192.png"
