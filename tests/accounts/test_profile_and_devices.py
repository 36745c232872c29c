"""Profile (name, phone, saved places, a new email confirmed by code) and the list of devices."""

from __future__ import annotations

from reportit.accounts.tables import ResidentAccount
from tests.accounts.conftest import code_from, new_device, new_email, sign_in

HOME = {"label": "Home", "address": "1 Horseferry Road, London SW1P 2AF", "latitude": 51.4956, "longitude": -0.1297}


async def test_a_resident_saves_a_name_a_phone_and_places(push_client, phone, mailbox):
    await sign_in(push_client, phone, mailbox, new_email())

    response = await push_client.patch("/api/me", json={"name": "Sam Resident", "phone": "07700 900 982",
                                                         "places": [HOME, {**HOME, "label": "Work"}]},
                                       headers=phone["headers"])

    assert response.status_code == 200, response.text
    account = (await push_client.get("/api/me", headers=phone["headers"])).json()["account"]
    assert account["name"] == "Sam Resident" and account["phone"] == "07700 900 982"
    assert [p["label"] for p in account["places"]] == ["Home", "Work"] and account["places"][0]["latitude"] == 51.4956
    # Only what is sent changes.
    await push_client.patch("/api/me", json={"name": "Sam"}, headers=phone["headers"])
    account = (await push_client.get("/api/me", headers=phone["headers"])).json()["account"]
    assert account["name"] == "Sam" and len(account["places"]) == 2


async def test_bad_profile_details_are_named_field_by_field_and_nothing_is_saved(push_client, phone, mailbox):
    await sign_in(push_client, phone, mailbox, new_email())

    response = await push_client.patch("/api/me", json={
        "name": "x" * 201, "phone": "call me", "places": [{"label": "", "latitude": 95, "longitude": 0}]},
        headers=phone["headers"])

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["name", "phone", "places[0].label", "places[0].latitude"]
    assert "07700 900 982" in response.json()["errors"][1]["message"]
    assert (await push_client.get("/api/me", headers=phone["headers"])).json()["account"]["name"] == ""


async def test_a_new_email_address_is_confirmed_by_a_code_sent_to_it(push_client, phone, mailbox):
    old, new = new_email(), new_email()
    await sign_in(push_client, phone, mailbox, old)

    asked = await push_client.post("/api/me/email", json={"email": new}, headers=phone["headers"])
    assert asked.status_code == 202
    wrong = await push_client.post("/api/me/email/verify", json={"email": new, "code": code_from(mailbox, old)},
                                   headers=phone["headers"])
    assert wrong.status_code == 422
    assert (await push_client.get("/api/me", headers=phone["headers"])).json()["account"]["email"] == old

    done = await push_client.post("/api/me/email/verify", json={"email": new, "code": code_from(mailbox, new)},
                                  headers=phone["headers"])

    assert done.status_code == 200 and done.json()["account"]["email"] == new
    assert not await ResidentAccount.exists().where(ResidentAccount.email == old)


async def test_a_change_of_email_code_asked_for_under_another_account_is_refused_in_words(
        push_client, phone, mailbox):
    first, second, new = new_email(), new_email(), new_email()
    await sign_in(push_client, phone, mailbox, first)
    await push_client.post("/api/me/email", json={"email": new}, headers=phone["headers"])
    await push_client.post("/api/me/sign-out", json={}, headers=phone["headers"])
    await sign_in(push_client, phone, mailbox, second)

    response = await push_client.post("/api/me/email/verify", json={"email": new, "code": code_from(mailbox, new)},
                                      headers=phone["headers"])

    assert response.status_code == 403
    assert "signed in to another account" in response.json()["detail"]
    assert (await push_client.get("/api/me", headers=phone["headers"])).json()["account"]["email"] == second


async def test_a_new_email_that_another_account_uses_is_refused(push_client, phone, other_phone, mailbox):
    mine, theirs = new_email(), new_email()
    await sign_in(push_client, phone, mailbox, mine)
    await sign_in(push_client, other_phone, mailbox, theirs)
    await push_client.post("/api/me/email", json={"email": theirs}, headers=phone["headers"])

    response = await push_client.post("/api/me/email/verify", json={"email": theirs, "code": code_from(mailbox, theirs)},
                                      headers=phone["headers"])

    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "email"


async def test_the_devices_list_shows_each_signed_in_browser_and_one_can_be_signed_out(
        push_client, phone, other_phone, mailbox):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)

    listed = (await push_client.get("/api/me/devices", headers=phone["headers"])).json()["devices"]

    assert [(d["id"], d["browser"], d["this_device"]) for d in listed] == [
        (phone["device_id"], "Chrome on Android", True), (other_phone["device_id"], "Safari on iPhone", False)]
    assert all(d["first_seen"] and d["last_seen"] and d["signed_in_at"] for d in listed)

    removed = await push_client.delete(f"/api/me/devices/{other_phone['device_id']}", headers=phone["headers"])
    assert removed.status_code == 204
    assert (await push_client.get("/api/me", headers=other_phone["headers"])).json()["account"] is None
    again = await push_client.delete(f"/api/me/devices/{other_phone['device_id']}", headers=phone["headers"])
    assert again.status_code == 404


async def test_signing_out_everywhere_unlinks_every_device(push_client, phone, other_phone, mailbox):
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, other_phone, mailbox, email)

    response = await push_client.post("/api/me/sign-out", json={"everywhere": True}, headers=phone["headers"])

    assert response.status_code == 204
    for device in (phone, other_phone):
        assert (await push_client.get("/api/me", headers=device["headers"])).json()["account"] is None


async def test_account_routes_need_a_signed_in_device(push_client):
    device = await new_device(push_client)
    for method, path in [("GET", "/api/me/devices"), ("PATCH", "/api/me"), ("GET", "/api/me/export"),
                         ("DELETE", "/api/me"), ("POST", "/api/me/email")]:
        response = await push_client.request(method, path, json={}, headers=device["headers"])
        assert response.status_code == 403, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
        assert "Sign in" in response.json()["detail"]
    assert (await push_client.get("/api/me", headers=device["headers"])).json() == {
        "device": {"id": device["device_id"], "signed_in": False}, "account": None}


async def test_openapi_describes_every_account_route_and_method(push_client, push_app):
    spec = (await push_client.get("/api/openapi.json")).json()
    from reportit.accounts import me_api

    for route in me_api.routes:
        for method in route.methods - {"HEAD"}:
            operation = spec["paths"][route.path][method.lower()]
            assert operation["security"] == [{"device": []}], route.path
            assert all(r.startswith(("2", "4")) for r in operation["responses"]), route.path
    assert spec["paths"]["/api/me/sign-in"]["post"]["responses"]["202"]
    assert set(spec["components"]["schemas"]) >= {"Me", "Account", "Place", "SignedInDevice", "MyData"}


async def test_deeply_nested_json_is_a_400_not_a_crash(push_client, phone, mailbox):
    await sign_in(push_client, phone, mailbox, new_email())
    nested = "[" * 5000 + "]" * 5000
    headers = {**phone["headers"], "Content-Type": "application/json"}
    for method, path in (("PATCH", "/api/me"), ("POST", "/api/me/sign-in"), ("POST", "/api/me/sign-in/verify")):
        response = await push_client.request(method, path, content=nested, headers=headers)
        assert response.status_code == 400, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_nul_in_a_name_is_refused_and_nothing_is_saved(push_client, phone, mailbox):
    await sign_in(push_client, phone, mailbox, new_email())

    response = await push_client.patch("/api/me", json={"name": "Sam\x00 Resident"}, headers=phone["headers"])

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert (await push_client.get("/api/me", headers=phone["headers"])).json()["account"]["name"] == ""


async def test_a_body_over_16_kb_is_refused_as_it_streams(push_client, phone, mailbox):
    await sign_in(push_client, phone, mailbox, new_email())

    async def body():
        yield b'{"name": "'
        for _ in range(20):
            yield b"x" * 1024
        yield b'"}'

    response = await push_client.patch("/api/me", content=body(), headers=phone["headers"])

    assert response.status_code == 413


async def test_codes_still_out_for_the_old_address_stop_working_after_an_email_change(
        push_client, phone, other_phone, mailbox):
    old, new = new_email(), new_email()
    await sign_in(push_client, phone, mailbox, old)
    await push_client.post("/api/me/sign-in", json={"email": old}, headers=other_phone["headers"])
    waiting = code_from(mailbox, old)
    await push_client.post("/api/me/email", json={"email": new}, headers=phone["headers"])
    done = await push_client.post("/api/me/email/verify", json={"email": new, "code": code_from(mailbox, new)},
                                  headers=phone["headers"])
    assert done.status_code == 200

    late = await push_client.post("/api/me/sign-in/verify", json={"email": old, "code": waiting},
                                  headers=other_phone["headers"])

    assert late.status_code == 422
    assert not await ResidentAccount.exists().where(ResidentAccount.email == old)
