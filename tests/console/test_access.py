"""The authorisation matrix: every console route and action × anonymous, a resident's device,
warden, officer and admin. CSRF tokens are always sent here, so only authorisation decides."""

from __future__ import annotations

import pytest

from reportit.reports.tables import Photo, Report
from tests.api.test_reports_api import pothole, send
from tests.console.conftest import new_client, sign_in
from tests.photo_samples import jpeg_with_exif

ANYONE_STAFF = {"warden", "officer", "admin"}
CASEWORK = {"officer", "admin"}
ADMIN = {"admin"}

# (method, path, roles allowed). {ref}: a report the warden filed; {photo}: its photo; {user}: the warden.
MATRIX = [
    ("GET", "/console/", ANYONE_STAFF),
    ("GET", "/console/map.json", ANYONE_STAFF),
    ("GET", "/console/reports/{ref}", ANYONE_STAFF),
    ("GET", "/console/dashboard", CASEWORK),
    ("GET", "/console/export.csv?q={ref}", CASEWORK),
    ("POST", "/console/reports/{ref}/status", CASEWORK),
    ("POST", "/console/reports/{ref}/note", CASEWORK),
    ("POST", "/console/reports/{ref}/assign", CASEWORK),
    ("POST", "/console/reports/{ref}/category", CASEWORK),
    ("POST", "/console/reports/{ref}/duplicate", CASEWORK),
    ("POST", "/console/reports/{ref}/hide", CASEWORK),
    ("POST", "/console/reports/{ref}/redact", CASEWORK),
    ("POST", "/console/reports/{ref}/photos/{photo}/hide", CASEWORK),
    ("POST", "/console/reports/{ref}/photos/{photo}/redact", CASEWORK),
    ("GET", "/console/audit", ADMIN),
    ("GET", "/console/admin", ADMIN),
    ("POST", "/console/admin/staff", ADMIN),
    ("POST", "/console/admin/staff/{user}/role", ADMIN),
]
ACTORS = ("anonymous", "device", "warden", "officer", "admin")


@pytest.fixture(scope="module")
async def warden_case(app, staff) -> dict:
    """A report the warden filed in the app (with their session), with one photo."""
    async with new_client(app) as warden:
        await sign_in(warden, staff["warden"])
        response = await send(warden, {"headers": {}}, pothole(), photos=[jpeg_with_exif()])
        assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    report = await Report.select(Report.id, Report.staff_user).where(Report.reference == reference).first()
    photo = await Photo.select(Photo.id).where(Photo.report == report["id"]).first()
    return {"ref": reference, "photo": photo["id"], "user": report["staff_user"]}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("method", "path", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
async def test_authorisation(app, staff, warden_case, device, actor, method, path, allowed):
    url = path.format(**warden_case)
    async with new_client(app) as http:
        headers = {"accept": "text/html"}
        if actor == "device":
            headers["authorization"] = device["headers"]["Authorization"]
        elif actor != "anonymous":
            assert (await sign_in(http, staff[actor])).status_code == 303
        await http.get("/console/sign-in")  # every browser has the CSRF cookie before it posts
        data = {"csrftoken": http.cookies.get("csrftoken")} if method == "POST" else None
        response = await http.request(method, url, data=data, headers=headers)

    to_sign_in = response.status_code == 303 and response.headers["location"].startswith("/console/sign-in")
    if actor in allowed:
        # Allowed: the page, a redirect after the action, or a validation error for the empty form.
        assert response.status_code in (200, 303, 422) and not to_sign_in, response.text[:500]
    elif actor in ("anonymous", "device"):
        assert to_sign_in, (response.status_code, response.headers.get("location"))
    else:
        assert response.status_code == 403 and "You cannot do this" in response.text


async def test_a_warden_sees_only_the_reports_they_filed(warden, report, warden_case):
    listing = await warden.get("/console/")
    assert warden_case["ref"][:4] in listing.text
    assert report["reference_spoken"] not in listing.text
    other = await warden.get(f"/console/reports/{report['reference']}")
    assert other.status_code == 404
    jump = await warden.get("/console/", params={"q": report["reference"]})
    assert jump.status_code == 200  # no jump to someone else's case
