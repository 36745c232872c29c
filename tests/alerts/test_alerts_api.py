"""GET|POST /api/me/alerts, PUT|DELETE /api/me/alerts/{id} and the estimate, over HTTP, as the app
calls them; and every kind of bad input refused with a message a resident understands."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import new_device, new_email, sign_in
from tests.alerts.conftest import FAR, HOME, NEAR, publish_received, save_alert, unique_reference

PROBLEM = "application/problem+json"


async def test_a_phone_saves_lists_changes_and_deletes_an_alert(push_client, resident):
    saved = await save_alert(push_client, resident, kinds=["planning", "problems"], categories=["pothole"],
                             email="daily")
    assert saved["label"] == "Home" and saved["radius"] == 500 and saved["kinds"] == ["planning", "problems"]
    assert saved["categories"] == ["pothole"] and saved["email"] == "daily" and "area" not in saved

    listed = await push_client.get("/api/me/alerts", headers=resident["headers"])
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["alerts"]] == [saved["id"]] and listed.json()["email"] is None

    changed = await push_client.put(f"/api/me/alerts/{saved['id']}", headers=resident["headers"], json={
        "label": "Work", "latitude": NEAR[0], "longitude": NEAR[1], "radius": 2000, "kinds": ["licensing"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["label"] == "Work" and changed.json()["radius"] == 2000
    assert changed.json()["kinds"] == ["licensing"] and changed.json()["categories"] == []

    gone = await push_client.delete(f"/api/me/alerts/{saved['id']}", headers=resident["headers"])
    assert gone.status_code == 204
    assert (await push_client.get("/api/me/alerts", headers=resident["headers"])).json()["alerts"] == []
    again = await push_client.delete(f"/api/me/alerts/{saved['id']}", headers=resident["headers"])
    assert again.status_code == 404 and again.headers["content-type"] == PROBLEM


async def test_following_an_application_is_an_alert_by_reference(push_client, resident):
    reference = unique_reference()
    first = await push_client.post("/api/me/alerts", json={"application": reference}, headers=resident["headers"])
    again = await push_client.post("/api/me/alerts", json={"application": reference}, headers=resident["headers"])
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["kinds"] == ["changes"] and first.json()["latitude"] is None


async def test_another_phone_cannot_see_change_or_delete_my_alert(push_client, resident):
    saved = await save_alert(push_client, resident)
    stranger = await new_device(push_client)
    assert (await push_client.get("/api/me/alerts", headers=stranger["headers"])).json()["alerts"] == []
    put = await push_client.put(f"/api/me/alerts/{saved['id']}", headers=stranger["headers"], json={
        "latitude": HOME[0], "longitude": HOME[1], "radius": 300, "kinds": ["planning"]})
    delete = await push_client.delete(f"/api/me/alerts/{saved['id']}", headers=stranger["headers"])
    assert put.status_code == delete.status_code == 404


async def test_alerts_move_with_my_account_to_my_other_phone(push_client, mailbox):
    phone, tablet = await new_device(push_client), await new_device(push_client)
    saved = await save_alert(push_client, phone)  # before signing in: the phone's own
    email = new_email()
    await sign_in(push_client, phone, mailbox, email)
    await sign_in(push_client, tablet, mailbox, email)

    listed = (await push_client.get("/api/me/alerts", headers=tablet["headers"])).json()
    assert [a["id"] for a in listed["alerts"]] == [saved["id"]] and listed["email"] == email


async def test_no_token_is_401(push_client):
    response = await push_client.get("/api/me/alerts")
    assert response.status_code == 401 and response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("body, field, words", [
    ({"radius": 0}, "radius", "between 100 metres and 2 kilometres"),
    ({"radius": 50000}, "radius", "between 100 metres and 2 kilometres"),
    ({"radius": "far"}, "radius", "between 100 metres and 2 kilometres"),
    ({"radius": True}, "radius", "between 100 metres and 2 kilometres"),
    ({"kinds": ["weather"]}, "kinds", "We don't send alerts about \"weather\""),
    ({"kinds": []}, "kinds", "at least one"),
    ({"kinds": "planning"}, "kinds", None),
    ({"latitude": "north"}, "latitude", "Choose a place"),
    ({"latitude": None}, "latitude", "Choose a place"),
    ({"latitude": 95.0}, "latitude", "could not be read"),
    ({"latitude": 53.48, "longitude": -2.24}, "latitude", "outside the area"),
    ({"categories": ["noise_neighbour"]}, "categories", "not a kind of problem"),
    ({"categories": ["no_such_thing"]}, "categories", "not a kind of problem"),
    ({"email": "hourly"}, "email", "how to email you"),
    ({"label": "x" * 81}, "label", "at most 80"),
    ({"application": "A" * 41}, "application", "could not be read"),
    ({"application": "24/0001/FULL", "kinds": ["planning"]}, "kinds", "changes to it only"),
])
async def test_bad_alerts_are_refused_with_a_reason_and_nothing_is_saved(push_client, resident, body, field, words):
    payload = {"latitude": HOME[0], "longitude": HOME[1], "radius": 500, "kinds": ["planning"], **body}
    response = await push_client.post("/api/me/alerts", json=payload, headers=resident["headers"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["title"] == "Check your alert"
    messages = {e["field"]: e["message"] for e in problem["errors"]}
    assert field in messages
    if words:
        assert words in messages[field]
    assert (await push_client.get("/api/me/alerts", headers=resident["headers"])).json()["alerts"] == []


async def test_a_body_that_is_not_json_is_400(push_client, resident):
    response = await push_client.post("/api/me/alerts", content=b"radius=0", headers={
        **resident["headers"], "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (400, 415) and response.headers["content-type"] == PROBLEM


async def test_a_bad_change_leaves_the_alert_as_it_was(push_client, resident):
    saved = await save_alert(push_client, resident)
    response = await push_client.put(f"/api/me/alerts/{saved['id']}", headers=resident["headers"], json={
        "latitude": HOME[0], "longitude": HOME[1], "radius": 50000, "kinds": ["planning"]})
    assert response.status_code == 422
    [kept] = (await push_client.get("/api/me/alerts", headers=resident["headers"])).json()["alerts"]
    assert kept["radius"] == 500


async def test_the_estimate_counts_applications_heard_of_in_the_last_90_days(push_client, resident, push_settings):
    # A spot of its own (north-west corner of the council), so other tests' applications don't count.
    spot = (51.5350, -0.2100)
    query = {"latitude": spot[0], "longitude": spot[1], "radius": 200, "kinds": "planning,licensing"}
    before = (await push_client.get("/api/me/alerts/estimate", params=query, headers=resident["headers"])).json()
    for _ in range(26):  # two a week over 13 weeks
        await publish_received(push_settings, unique_reference(), (spot[0] + 0.0005, spot[1]))
    await publish_received(push_settings, unique_reference(), (spot[0] + 0.0005, spot[1]), regime="licensing")
    await publish_received(push_settings, unique_reference(), (spot[0] + 0.01, spot[1]))  # 1.1 km away

    response = await push_client.get("/api/me/alerts/estimate", params=query, headers=resident["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"]["planning"] - before["counts"]["planning"] == 26
    assert body["counts"]["licensing"] - before["counts"]["licensing"] == 1
    assert body["days"] == 90 and body["text"].startswith("about ")


async def test_an_estimate_of_none_says_nothing_and_leaves_the_period_to_days(push_client, resident):
    # The app says "Over the last {days} days this alert would have sent you {text}."
    response = await push_client.get("/api/me/alerts/estimate", headers=resident["headers"], params={
        "latitude": FAR[0], "longitude": FAR[1], "radius": 100, "kinds": "licensing"})
    assert response.status_code == 200, response.text
    assert (response.json()["days"], response.json()["text"]) == (90, "nothing")


async def test_a_bad_estimate_question_is_422(push_client, resident):
    response = await push_client.get("/api/me/alerts/estimate", headers=resident["headers"], params={
        "latitude": HOME[0], "longitude": HOME[1], "radius": 0, "kinds": "planning"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "radius"


async def test_the_alerts_api_is_described_in_openapi(push_client):
    spec = (await push_client.get("/api/openapi.json")).json()
    assert {"get", "post"} <= set(spec["paths"]["/api/me/alerts"])
    assert {"put", "delete"} <= set(spec["paths"]["/api/me/alerts/{id}"])
    assert "get" in spec["paths"]["/api/me/alerts/estimate"]
