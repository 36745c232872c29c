"""Subscribing, following and the VAPID public key, over HTTP as the resident app calls them."""

from __future__ import annotations

import base64

import pytest

from reportit.push.tables import Follow, PushSubscription
from reportit.push.vapid import load_or_create
from tests.push.conftest import new_private_report, new_report, subscribe, unique_name
from tests.push.mock_push import Browser, b64url


async def test_public_key_is_the_application_server_key(push_client, push_settings):
    response = await push_client.get("/api/push/public-key")

    assert response.status_code == 200
    key = response.json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4 and "=" not in key
    assert key == load_or_create(push_settings.config.data_dir).application_server_key


async def test_vapid_key_file_is_private(push_settings):
    from reportit.push.vapid import key_path

    load_or_create(push_settings.config.data_dir)
    assert key_path(push_settings.config.data_dir).stat().st_mode & 0o777 == 0o600


async def test_subscribe_refresh_and_unsubscribe(push_client, resident, browser, mock_push):
    endpoint = mock_push.url("ok", unique_name())

    first = await subscribe(push_client, resident, browser, endpoint)
    again = await subscribe(push_client, resident, browser, endpoint)

    assert (first.status_code, again.status_code) == (201, 200)
    assert await PushSubscription.count().where(PushSubscription.endpoint == endpoint) == 1
    gone = await push_client.request("DELETE", "/api/me/push-subscription", json={"endpoint": endpoint},
                                     headers=resident["headers"])
    assert gone.status_code == 204
    assert not await PushSubscription.exists().where(PushSubscription.endpoint == endpoint)


async def test_subscribing_needs_the_device_token(push_client, browser, mock_push):
    body = {"endpoint": mock_push.url("ok", unique_name()), "expirationTime": None, "keys": browser.keys}
    response = await push_client.put("/api/me/push-subscription", json=body)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("endpoint", [
    "http://fcm.googleapis.com/fcm/send/abc",  # not https
    "https://fcm.googleapis.com.attacker.example/fcm/send/abc",  # lookalike suffix
    "https://evilfcm.googleapis.com/fcm/send/abc",
    "https://push.apple.com.attacker.example/x",
    "https://attacker-push.apple.com/x",
    "https://push.services.mozilla.com.attacker.example/wpush/v2/x",
    "https://fcm.googleapis.com./fcm/send/abc",  # trailing dot
    "https://fcm.googleapis.com:8443/fcm/send/abc",  # odd port
    "https://user@fcm.googleapis.com/fcm/send/abc",  # userinfo
    "https://10.0.0.1/push",  # IP literals
    "https://[::1]/push",
    "https://169.254.169.254/latest/meta-data",
    "http://localhost/push",
    "http://127.0.0.1:1/push",  # loopback, but not the allowed port
    "https://127.0.0.2/push",
    "ftp://fcm.googleapis.com/x",
    "javascript:alert(1)",
    "https://fcm.googleapis.com/" + "x" * 1100,
    # Parsers disagree about these; each once passed the check and then stopped all push delivery.
    "https://evil.com%00.push.apple.com/x",
    "https://evil.com\t.push.apple.com/x",
    "https://evil.com\n.push.apple.com/x",
    "https://evil.com .push.apple.com/x",
    "https://evil.com\\.push.apple.com/x",
    "https://evil.com%2f.push.apple.com/x",
    "https://evil.com%252f.push.apple.com/x",
    "https://evil.com\u3002push.apple.com/x",  # an ideographic full stop: some parsers read a dot
    "https://\u0435vil.push.apple.com/x",  # a Cyrillic e: IDNA must already be ASCII
    "https://web.push.apple.com\x00/x",
    "https://web.push.apple.com/x\t",
    "https://web.push.apple.com/x%00",
    "https://web.push.apple.com/x%0a",
    "https://web.push.apple.com/x%2",
    "https://web.push.apple.com/x#fragment",
    "https://a:b@web.push.apple.com/x",
    "https://evil.com@web.push.apple.com/x",
    "https://web.push.apple.com:0/x",
    "https://-web.push.apple.com/x",
    "https://web..push.apple.com/x",
    "https://[::ffff:7f00:1]/x",
    "HTTPS://web.push.apple.com/x",
    "https:/web.push.apple.com/x",
])
async def test_endpoints_off_known_push_services_are_refused(push_client, resident, browser, endpoint):
    body = {"endpoint": endpoint, "expirationTime": None, "keys": browser.keys}

    response = await push_client.put("/api/me/push-subscription", json=body, headers=resident["headers"])

    assert response.status_code == 422, endpoint
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["endpoint"]
    assert problem["errors"][0]["message"]
    if "\x00" not in endpoint:  # PostgreSQL text can't hold NUL, not even in a query
        assert not await PushSubscription.exists().where(PushSubscription.endpoint == endpoint)


@pytest.mark.parametrize("endpoint, message", [
    ("https://evil.com%00.push.apple.com/x", "The push endpoint's host may not contain percent-escapes."),
    ("https://evil.com\t.push.apple.com/x",
     "The push endpoint may not contain spaces, control characters or non-ASCII characters."),
    ("https://evil.com\\.push.apple.com/x", "The push endpoint may not contain a backslash."),
    ("https://user@web.push.apple.com/x", "The push endpoint may not contain a user name or password."),
])
async def test_a_refused_endpoint_says_why(push_client, resident, browser, endpoint, message):
    body = {"endpoint": endpoint, "expirationTime": None, "keys": browser.keys}

    response = await push_client.put("/api/me/push-subscription", json=body, headers=resident["headers"])

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": "endpoint", "message": message}]


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
    "https://web.push.apple.com/QGm3aZ",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB%2bk%2FZ%3d",  # WNS tokens are URL-encoded
    "https://fcm.googleapis.com:443/fcm/send/dGVzdA:APA91b",
])
async def test_endpoints_on_known_push_services_are_accepted(push_client, resident, endpoint):
    body = {"endpoint": endpoint + unique_name(), "expirationTime": 1893456000000, "keys": Browser.new().keys}
    response = await push_client.put("/api/me/push-subscription", json=body, headers=resident["headers"])
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("keys, field", [
    ({"p256dh": b64url(b"\x04" + b"\x01" * 64), "auth": b64url(b"a" * 16)}, "keys.p256dh"),  # not on the curve
    ({"p256dh": b64url(b"\x04" * 33), "auth": b64url(b"a" * 16)}, "keys.p256dh"),
    ({"auth": b64url(b"a" * 16)}, "keys.p256dh"),
    (None, "keys.auth"),
])
async def test_bad_keys_are_refused(push_client, resident, mock_push, keys, field):
    if keys is None:
        keys = {**Browser.new().keys, "auth": b64url(b"a" * 15)}
    body = {"endpoint": mock_push.url("ok", unique_name()), "expirationTime": None, "keys": keys}
    response = await push_client.put("/api/me/push-subscription", json=body, headers=resident["headers"])
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_the_reporter_follows_their_own_report(push_client, resident):
    reference = await new_report(push_client, resident, contact_email="ada@example.org")

    follows = await Follow.select(Follow.email, Follow.reporter, Follow.device.device_id.as_alias("device_id")).where(
        Follow.report.reference == reference)

    assert [(f["email"], f["reporter"], str(f["device_id"])) for f in follows] == [
        ("ada@example.org", True, resident["device_id"])]


async def test_anyone_may_follow_a_public_report(push_client, resident):
    reference = await new_report(push_client, resident)
    neighbour = (await push_client.post("/api/devices")).json()
    headers = {"Authorization": f"Bearer {neighbour['token']}"}

    first = await push_client.post(f"/api/reports/{reference}/follow", headers=headers)
    again = await push_client.post(f"/api/reports/{reference}/follow", headers=headers)
    stop = await push_client.delete(f"/api/reports/{reference}/follow", headers=headers)

    assert (first.status_code, again.status_code, stop.status_code) == (201, 200, 204)
    assert first.json() == {"reference": reference, "following": True, "email": False}
    assert await Follow.count().where(Follow.report.reference == reference) == 1  # the reporter's


async def test_a_follower_can_ask_for_updates_by_email_instead(push_client, resident):
    reference = await new_report(push_client, resident)
    neighbour = (await push_client.post("/api/devices")).json()
    headers = {"Authorization": f"Bearer {neighbour['token']}"}

    wrong = await push_client.post(f"/api/reports/{reference}/follow", json={"email": "not an email"}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "email"
    first = await push_client.post(f"/api/reports/{reference}/follow", json={"email": "sam@example.org"}, headers=headers)
    assert first.status_code == 201 and first.json()["email"] is True
    # The reporter, who gave no email when reporting, can add one afterwards (the app offers it).
    mine = await push_client.post(f"/api/reports/{reference}/follow", json={"email": "ada@example.org"},
                                  headers=resident["headers"])
    assert mine.status_code == 200

    emails = await Follow.select(Follow.email).where(Follow.report.reference == reference)
    assert sorted(f["email"] for f in emails) == ["ada@example.org", "sam@example.org"]


async def test_only_the_reporter_may_follow_a_private_report(push_client, resident):
    reference = await new_private_report(push_client, resident)
    neighbour = (await push_client.post("/api/devices")).json()

    theirs = await push_client.post(f"/api/reports/{reference}/follow",
                                    headers={"Authorization": f"Bearer {neighbour['token']}"})
    mine = await push_client.post(f"/api/reports/{reference}/follow", headers=resident["headers"])

    assert theirs.status_code == 404
    assert mine.status_code == 200  # already following since intake


async def test_following_needs_the_device_token(push_client, resident):
    reference = await new_report(push_client, resident)
    assert (await push_client.post(f"/api/reports/{reference}/follow")).status_code == 401


async def test_a_device_keeps_only_its_newest_subscriptions(push_client, resident, browser, mock_push,
                                                              push_settings):
    """One device registering endpoint after endpoint must not multiply every status change's pushes."""
    from reportit.push.subscriptions import MAX_PER_DEVICE
    from reportit.push.tables import Notification
    from reportit.reports.status import Actor, change_status

    reference = await new_report(push_client, resident)
    endpoints = [mock_push.url("ok", unique_name()) for _ in range(MAX_PER_DEVICE + 3)]
    for endpoint in endpoints:
        await subscribe(push_client, resident, browser, endpoint)

    kept = await PushSubscription.select(PushSubscription.endpoint).where(
        PushSubscription.device.device_id == resident["device_id"]).order_by(PushSubscription.id)
    assert [k["endpoint"] for k in kept] == endpoints[-MAX_PER_DEVICE:]

    await change_status(reference, "investigating", settings=push_settings, actor=Actor("cli"))
    queued = await Notification.count().where(Notification.report.reference == reference)
    assert queued == MAX_PER_DEVICE
