"""POST /api/applications/{reference}/representations, its preview and its emailed code, over HTTP
as the app calls them: every rule of the council's TOML (planning late but accepted, licensing late
refused), every bad input refused with nothing written, sent exactly once per Idempotency-Key."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from reportit.applications.importer import import_file
from reportit.applications.representation_tables import Representation
from tests.accounts.conftest import code_from, new_device, new_email, sign_in
from tests.applications.conftest import LICENSING_COLUMNS, csv_text, planning_row, unique

PROBLEM = "application/problem+json"
ADDRESS = "Flat 2, 12 Example Street, London SW1A 1AA"


async def imported(tmp_path, settings, rows, regime="planning", columns=None) -> None:
    path = tmp_path / f"{unique()}.csv"
    path.write_text(csv_text(rows, columns) if columns else csv_text(rows))
    result = await import_file(path, regime, settings)
    assert not result.errors, result.errors


def licensing_row(reference: str, **values: str) -> dict[str, str]:
    row = {"reference": reference, "application-type": "new-premises", "address": "The Feathers, 20 Broadway",
           "latitude": "51.4990", "longitude": "-0.1340", "status": "under consultation",
           "start-date": "2026-11-20", "end-date": "2026-12-18", "description": "Alcohol until 23:00"}
    return {**row, **values}


def url(reference: str, tail: str = "") -> str:
    return f"/api/applications/{quote(reference, safe='/')}/representations{tail}"


def body(**values) -> dict:
    return {"sentiment": "object", "grounds": ["noise", "traffic"], "text": "The late opening will keep us awake.",
            "name": "Ada Resident", "address": ADDRESS, **values}


async def rows_for(reference: str) -> list[dict]:
    return await Representation.select().where(Representation.reference == reference)


@pytest.fixture
async def signed_in_phone(push_client, mailbox) -> dict:
    phone = await new_device(push_client)
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    return {**phone, "email": email}


async def test_a_signed_in_resident_objects_once_and_gets_a_receipt(push_client, signed_in_phone, settings, tmp_path):
    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    key = str(uuid.uuid4())
    headers = {**signed_in_phone["headers"], "Idempotency-Key": key}
    first = await push_client.post(url(reference), json=body(), headers=headers)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["late"] is False and receipt["state"] == "waiting" and receipt["sentiment"] == "object"
    assert "received" in receipt["message"]
    assert receipt["published"]["street"] == "Example Street" and "Ada" not in str(receipt["published"])
    again = await push_client.post(url(reference), json=body(), headers=headers)
    assert again.status_code == 200 and again.json()["id"] == receipt["id"]
    [row] = await rows_for(reference)
    assert row["email"] == signed_in_phone["email"] and row["name"] == "Ada Resident"
    # The phone now follows the application: the decision reaches it as every change does.
    alerts = (await push_client.get("/api/me/alerts", headers=signed_in_phone["headers"])).json()["alerts"]
    assert [a["application"] for a in alerts] == [reference] and alerts[0]["kinds"] == ["changes"]
    other = await push_client.post(url(reference), json=body(text="Something else"), headers=headers)
    assert other.status_code == 422 and other.headers["content-type"] == PROBLEM
    assert len(await rows_for(reference)) == 1


async def test_a_phone_not_signed_in_confirms_its_email_with_a_code(push_client, mailbox, settings, tmp_path):
    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    phone = await new_device(push_client)
    email = new_email()
    no_email = await push_client.post(url(reference), json=body(), headers=phone["headers"])
    assert no_email.status_code == 422 and no_email.json()["errors"][0]["field"] == "email"
    asked = await push_client.post(url(reference, "/code"), json={"email": email}, headers=phone["headers"])
    assert asked.status_code == 202
    await mailbox.wait_for(email)
    wrong = await push_client.post(url(reference), json=body(email=email, code="000000"), headers=phone["headers"])
    if code_from(mailbox, email) != "000000":
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "code"
    assert await rows_for(reference) == []
    sent = await push_client.post(url(reference), json=body(email=email, code=code_from(mailbox, email)),
                                  headers=phone["headers"])
    assert sent.status_code == 201, sent.text
    [row] = await rows_for(reference)
    assert row["email"] == email
    # The same code again (a second comment): said in the words of a comment, not of signing in.
    again = await push_client.post(url(reference), json=body(email=email, code=code_from(mailbox, email), text="More"),
                                   headers=phone["headers"])
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "code"
    assert "each code works once" in again.json()["detail"] and "sign in" not in again.json()["detail"]


async def test_the_preview_shows_what_is_published_and_what_the_officer_and_applicant_get(
        push_client, signed_in_phone, settings, tmp_path):
    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    response = await push_client.post(url(reference, "/preview"), json=body(), headers=signed_in_phone["headers"])
    assert response.status_code == 200, response.text
    shown = response.json()
    assert shown["published"] == {"sentiment": "object", "sentiment_name": "Objection", "grounds": ["noise", "traffic"],
                                  "street": "Example Street", "text": "The late opening will keep us awake.",
                                  "grounds_names": ["Noise", "Traffic and parking"]}
    assert shown["case_officer"]["name"] == "Ada Resident" and shown["case_officer"]["address"] == ADDRESS
    assert shown["case_officer"]["email"] == signed_in_phone["email"]
    assert shown["applicant"]["name"] == "Ada Resident" and shown["applicant"]["address"] == "Example Street"
    same = await push_client.post(url(reference) + "?preview=1", json=body(), headers=signed_in_phone["headers"])
    assert same.json() == shown
    assert await rows_for(reference) == []


async def test_after_the_deadline_planning_accepts_and_marks_late(push_client, signed_in_phone, settings, tmp_path):
    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference, **{"start-date": "2026-10-01",
                                                                   "end-date": "2026-10-22"})])
    response = await push_client.post(url(reference), json=body(), headers=signed_in_phone["headers"])
    assert response.status_code == 201, response.text
    assert response.json()["late"] is True and "still considered" in response.json()["message"]


async def test_after_the_deadline_licensing_refuses_in_plain_words(push_client, signed_in_phone, settings, tmp_path):
    reference = unique("LIC") + "/NEW"
    await imported(tmp_path, settings, [licensing_row(reference, **{"start-date": "2026-10-01",
                                                                    "end-date": "2026-10-29"})],
                   "licensing", LICENSING_COLUMNS)
    response = await push_client.post(url(reference), json=body(grounds=["public_nuisance"]),
                                      headers=signed_in_phone["headers"])
    assert response.status_code == 409 and response.headers["content-type"] == PROBLEM
    assert "cannot accept representations after it" in response.json()["detail"]
    assert "Thursday 29 October" in response.json()["detail"]
    assert await rows_for(reference) == []


async def test_licensing_needs_a_licensing_objective(push_client, signed_in_phone, settings, tmp_path):
    reference = unique("LIC") + "/NEW"
    await imported(tmp_path, settings, [licensing_row(reference)], "licensing", LICENSING_COLUMNS)
    none = await push_client.post(url(reference), json=body(grounds=[]), headers=signed_in_phone["headers"])
    assert none.status_code == 422 and "licensing objectives" in none.json()["errors"][0]["message"]
    planning_ground = await push_client.post(url(reference), json=body(grounds=["noise"]),
                                             headers=signed_in_phone["headers"])
    assert planning_ground.status_code == 422
    assert await rows_for(reference) == []
    ok = await push_client.post(url(reference), json=body(grounds=["public_nuisance", "children"]),
                                headers=signed_in_phone["headers"])
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"), ({"address": "   "}, "address"), ({"text": ""}, "text"), ({"sentiment": "hate"}, "sentiment"),
    ({"grounds": ["bad-vibes"]}, "grounds"), ({"grounds": "noise"}, "grounds"), ({"text": "x" * 6001}, "text"),
])
async def test_bad_input_is_refused_on_its_field_with_nothing_written(push_client, signed_in_phone, settings, tmp_path,
                                                                      change, field):
    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    response = await push_client.post(url(reference), json=body(**change), headers=signed_in_phone["headers"])
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await rows_for(reference) == []


async def test_unknown_withdrawn_and_decided_applications_take_no_representations(
        push_client, signed_in_phone, settings, tmp_path):
    unknown = await push_client.post(url("NOPE/" + unique()), json=body(), headers=signed_in_phone["headers"])
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM
    withdrawn, decided = unique("REP") + "/W", unique("REP") + "/D"
    await imported(tmp_path, settings, [
        planning_row(withdrawn, **{"planning-application-status": "withdrawn"}),
        planning_row(decided, **{"planning-application-status": "decided", "planning-decision": "refused",
                                 "decision-date": "2026-11-25"})])
    for reference, words in ((withdrawn, "withdrew"), (decided, "decided")):
        response = await push_client.post(url(reference), json=body(), headers=signed_in_phone["headers"])
        assert response.status_code == 409 and words in response.json()["detail"]
        assert await rows_for(reference) == []


async def test_no_device_no_representation_and_a_bad_key_is_refused(push_client, signed_in_phone, settings, tmp_path):
    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    anonymous = await push_client.post(url(reference), json=body())
    assert anonymous.status_code == 401
    bad_key = await push_client.post(url(reference), json=body(),
                                     headers={**signed_in_phone["headers"], "Idempotency-Key": "nope"})
    assert bad_key.status_code == 400
    not_json = await push_client.post(url(reference), content=b"[1", headers=signed_in_phone["headers"])
    assert not_json.status_code == 400
    assert await rows_for(reference) == []


async def test_the_representor_gets_a_receipt_then_the_decision(push_client, signed_in_phone, settings, tmp_path,
                                                                officer):
    from reportit.push.tables import Notification
    from tests.alerts.conftest import settled_url
    from tests.console.conftest import post_form

    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    sent = await push_client.post(url(reference), json=body(), headers=signed_in_phone["headers"])
    assert sent.status_code == 201
    page = f"/a/{reference}"
    receipts = await Notification.select().where((Notification.url == page) & Notification.tag.like("rep-%"))
    assert [(r["channel"], r["email"]) for r in receipts] == [("email", signed_in_phone["email"])]
    assert receipts[0]["title"] == f"Representation received: {reference}"
    decided = await post_form(officer, f"/console/applications/{reference}/decision",
                              {"decision": "Refused", "decision_date": "2026-11-28"})
    assert decided.status_code == 303
    rows = await settled_url(f"/a/{quote(reference, safe='')}")  # how alerts write an application's path
    decision = [r for r in rows if not r["tag"].startswith("rep-")]
    assert len(decision) == 1 and decision[0]["email"] == signed_in_phone["email"]
    assert "Refused" in decision[0]["title"] + decision[0]["body"]


async def test_a_representor_not_signed_in_is_emailed_the_decision_at_the_confirmed_address(
        push_client, mailbox, settings, tmp_path, officer):
    from tests.alerts.conftest import alert_rows
    from tests.console.conftest import post_form

    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    phone = await new_device(push_client)
    email = new_email()
    await push_client.post(url(reference, "/code"), json={"email": email}, headers=phone["headers"])
    await mailbox.wait_for(email)
    sent = await push_client.post(url(reference), json=body(email=email, code=code_from(mailbox, email)),
                                  headers=phone["headers"])
    assert sent.status_code == 201
    decided = await post_form(officer, f"/console/applications/{reference}/decision",
                              {"decision": "Granted", "decision_date": "2026-11-28"})
    assert decided.status_code == 303
    rows = await alert_rows(f"/a/{quote(reference, safe='')}")
    assert [(r["channel"], r["email"]) for r in rows] == [("email", email)]
    assert "Granted" in rows[0]["title"]


async def test_my_data_holds_my_representations(push_client, signed_in_phone, settings, tmp_path):
    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    assert (await push_client.post(url(reference), json=body(), headers=signed_in_phone["headers"])).status_code == 201
    data = (await push_client.get("/api/me/export", headers=signed_in_phone["headers"])).json()
    [mine] = data["representations"]
    assert mine["application"] == reference and mine["name"] == "Ada Resident" and mine["address"] == ADDRESS
    page = await push_client.get("/api/me/export?format=html", headers=signed_in_phone["headers"])
    assert page.status_code == 200 and "The late opening will keep us awake." in page.text


async def test_an_erased_account_leaves_its_representations_with_the_council_unlinked_and_says_so(
        push_client, signed_in_phone, settings, tmp_path):
    from reportit.alerts.tables import Alert

    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    assert (await push_client.post(url(reference), json=body(), headers=signed_in_phone["headers"])).status_code == 201
    [alert] = (await push_client.get("/api/me/alerts", headers=signed_in_phone["headers"])).json()["alerts"]
    erased = await push_client.request("DELETE", "/api/me", json={"confirm": "delete my account"},
                                       headers=signed_in_phone["headers"])
    assert erased.status_code == 200, erased.text
    [row] = await rows_for(reference)
    assert row["account"] is None and row["device"] is None and row["text"] == body()["text"]
    # Kept as the council's record: the name, full address and email address given with it.
    assert (row["name"], row["address"], row["email"]) == ("Ada Resident", ADDRESS, signed_in_phone["email"])
    assert not await Alert.exists().where(Alert.id == alert["id"])
    # And the resident is told exactly that, before and after.
    said = erased.json()
    [kept] = [line for line in said["kept"] if "comments on planning and licensing applications" in line]
    assert "name, full address and email address you gave" in kept and "legal record" in kept
    assert "public register never shows your name, full address or email address" in kept
    assert any("your alerts" in line for line in said["deleted"])
    assert any("comments on applications" in line and "your account and phones" in line for line in said["deleted"])


async def test_commenting_keeps_the_residents_no_email_choice_on_the_application_they_follow(
        push_client, signed_in_phone, settings, tmp_path):
    reference = unique("REP") + "/FULL"
    await imported(tmp_path, settings, [planning_row(reference)])
    headers = signed_in_phone["headers"]
    followed = (await push_client.post("/api/me/alerts", json={"application": reference, "label": "The café"},
                                       headers=headers)).json()
    quiet = await push_client.put(f"/api/me/alerts/{followed['id']}", json={**followed, "email": "none"},
                                  headers=headers)
    assert quiet.status_code == 200 and quiet.json()["email"] == "none", quiet.text
    sent = await push_client.post(url(reference), json=body(), headers=headers)
    assert sent.status_code == 201, sent.text
    [alert] = (await push_client.get("/api/me/alerts", headers=headers)).json()["alerts"]
    assert alert["id"] == followed["id"] and alert["email"] == "none" and alert["label"] == "The café"
    assert alert["kinds"] == ["changes"]
