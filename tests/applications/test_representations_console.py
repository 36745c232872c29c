"""Representations in the console and on the public register: an officer sees them in full,
publishes one redacted and withholds another with a reason (both audit-logged), exports them as CSV
and a printable page; /a/{reference} and the API show only the published ones, never a name, a
full address or an email, with counts by sentiment."""

from __future__ import annotations

import csv
import io
import secrets

import pytest

from reportit.console.tables import AuditLog
from tests.applications.conftest import planning_row, unique
from tests.applications.test_representations import ADDRESS, body, imported, signed_in_phone, url  # noqa: F401
from tests.console.conftest import post_form
from tests.places.conftest import demo_places  # noqa: F401 (fixture)


@pytest.fixture
async def two(push_client, signed_in_phone, settings, tmp_path) -> dict:  # noqa: F811
    reference = unique("MOD") + "/FULL"
    lat, lng = 51.52 + secrets.randbelow(1000) / 100_000, -0.16 + secrets.randbelow(1000) / 100_000
    await imported(tmp_path, settings, [planning_row(reference, point=f"POINT ({lng} {lat})")])
    ids = []
    for values in (body(), body(sentiment="support", grounds=["design"], text="=HYPERLINK(\"x\") A fine design.",
                                name="Bob Neighbour", address="7 Other Road, London")):
        response = await push_client.post(url(reference), json=values, headers=signed_in_phone["headers"])
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return {"reference": reference, "ids": ids, "email": signed_in_phone["email"], "near": f"{lat},{lng}"}


async def test_an_officer_publishes_one_redacted_and_withholds_another(officer, warden, two, client):
    reference, (first, second) = two["reference"], two["ids"]
    page = await officer.get(f"/console/applications/{reference}")
    assert page.status_code == 200
    assert "Ada Resident" in page.text and ADDRESS in page.text and two["email"] in page.text
    assert "Representations (2)" in page.text
    public = await client.get(f"/a/{reference}")
    assert "No representations have been published yet" in public.text and "Ada" not in public.text

    refused = await post_form(warden, f"/console/applications/{reference}/representations/{first}/publish")
    assert refused.status_code == 403
    published = await post_form(officer, f"/console/applications/{reference}/representations/{first}/publish")
    assert published.status_code == 303
    no_reason = await post_form(officer, f"/console/applications/{reference}/representations/{second}/withhold")
    assert no_reason.status_code == 422
    withheld = await post_form(officer, f"/console/applications/{reference}/representations/{second}/withhold",
                               {"reason": "Not about this application"})
    assert withheld.status_code == 303

    public = await client.get(f"/a/{reference}")
    assert public.status_code == 200
    assert "The late opening will keep us awake." in public.text and "Example Street" in public.text
    for secret in ("Ada Resident", "Flat 2", "12 Example Street", "SW1A 1AA", two["email"], "Bob Neighbour",
                   "A fine design", "Other Road"):
        assert secret not in public.text
    assert "1 published: 1 objection, 0 in support, 0 comments." in public.text
    api = (await client.get(f"/api/applications/{reference}")).json()
    assert api["representations"] == {"object": 1, "support": 0, "comment": 0, "total": 1}
    listed = (await client.get("/api/applications", params={"near": two["near"], "radius": "1"})).json()
    [here] = [a for a in listed["applications"] if a["reference"] == reference]
    assert here["representations"] == {"object": 1, "support": 0, "comment": 0, "total": 1}

    audit = await AuditLog.select(AuditLog.action, AuditLog.target).where(
        AuditLog.target.is_in([f"{reference}#{first}", f"{reference}#{second}"])).order_by(AuditLog.id)
    assert [a["action"] for a in audit] == ["representation_published", "representation_withheld"]


async def test_the_export_as_csv_and_the_printable_page_hold_every_representation(officer, two):
    reference = two["reference"]
    exported = await officer.get(f"/console/applications/{reference}/representations.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["name"] for r in rows] == ["Ada Resident", "Bob Neighbour"]
    assert rows[0]["address"] == ADDRESS and rows[0]["grounds"] == "Noise; Traffic and parking"
    assert rows[1]["text"].startswith("'=HYPERLINK")  # no formula runs in a spreadsheet
    printed = await officer.get(f"/console/applications/{reference}/representations/print")
    assert printed.status_code == 200 and "Bob Neighbour, 7 Other Road, London" in printed.text
    assert "1 objection, 1 in support, 0 comments" in printed.text
    missing = await officer.get("/console/applications/NOPE-XYZ/representations.csv")
    assert missing.status_code == 404
    logged = await AuditLog.count().where((AuditLog.action == "exported") & (AuditLog.target == reference))
    assert logged == 2


async def test_a_warden_sees_the_application_but_nobody_s_name_address_or_email(warden, officer, two):
    reference = two["reference"]
    page = await warden.get(f"/console/applications/{reference}")
    assert page.status_code == 200 and reference in page.text
    for personal in ("Ada Resident", ADDRESS, "12 Example Street", two["email"], "Bob Neighbour", "7 Other Road"):
        assert personal not in page.text
    for export in ("/representations.csv", "/representations/print"):
        assert (await warden.get(f"/console/applications/{reference}{export}")).status_code == 403
        assert (await officer.get(f"/console/applications/{reference}{export}")).status_code == 200
    assert "Ada Resident" in (await officer.get(f"/console/applications/{reference}")).text


async def test_a_one_line_address_is_published_as_its_street_only(
        push_client, signed_in_phone, officer, client, settings, tmp_path):  # noqa: F811
    reference = unique("ONE") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    sent = await push_client.post(url(reference), json=body(address="12 Example Street Apt 3B London SW1A 1AA"),
                                  headers=signed_in_phone["headers"])
    assert sent.status_code == 201, sent.text
    published = await post_form(officer, f"/console/applications/{reference}/representations/{sent.json()['id']}"
                                         "/publish")
    assert published.status_code == 303
    public = await client.get(f"/a/{reference}")
    assert "<strong>Objection</strong> from Example Street ·" in public.text
    for secret in ("12 Example", "Apt", "3B", "SW1A", "1AA", "Example Street London"):
        assert secret not in public.text


async def test_a_street_of_the_gazetteer_is_published_from_an_address_without_a_house_number(
        push_client, signed_in_phone, officer, client, settings, tmp_path, demo_places):  # noqa: F811
    reference = unique("GAZ") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    sent = await push_client.post(url(reference), json=body(address="Rose Cottage Strutton Ground London SW1P 2HY"),
                                  headers=signed_in_phone["headers"])
    assert sent.status_code == 201, sent.text
    assert sent.json()["published"]["street"] == "Strutton Ground"
    await post_form(officer, f"/console/applications/{reference}/representations/{sent.json()['id']}/publish")
    public = await client.get(f"/a/{reference}")
    assert "<strong>Objection</strong> from Strutton Ground ·" in public.text
    assert "Rose Cottage" not in public.text and "SW1P" not in public.text
