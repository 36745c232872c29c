"""The sender against a mock push service on loopback: what arrives, and how answers are handled."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from reportit.push.message import MAX_ENCRYPTED, MAX_PAYLOAD, news_for, payload
from reportit.push.sender import wake_senders
from reportit.push.tables import Notification, PushSubscription
from reportit.reports.status import Actor, change_status
from tests.push.conftest import new_private_report, new_report, settled, subscribe, unique_name

OFFICER = Actor("staff:officer@westminster.example")


async def reported_and_subscribed(client, device, browser, mock_push, behaviour: str, **extra) -> tuple[str, str]:
    name = unique_name()
    reference = await new_report(client, device, **extra)
    await subscribe(client, device, browser, mock_push.url(behaviour, name))
    return reference, name


async def test_a_status_change_arrives_encrypted_signed_and_in_the_declarative_shape(
        push_client, resident, browser, mock_push, push_settings):
    reference, name = await reported_and_subscribed(push_client, resident, browser, mock_push, "ok",
                                                    contact_email="ada@example.org", contact_phone="07700 900123")

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER,
                        public_message="We filled the pothole this morning.", internal_note="Crew 7, 2 bags")
    rows = await settled(reference)

    assert [(r["channel"], r["state"], r["attempts"]) for r in rows] == [("push", "sent", 1)]
    [request] = mock_push.delivered(name)
    # Over TLS, as push services are spoken to: HTTP/1.1, which every push service takes (HTTP/2 for
    # one that needs it: tests/push/test_faults.py).
    assert request.http_version == "1.1"
    assert request.payload == {
        "web_push": 8030,
        "notification": {
            "title": f"{reference[:4]}-{reference[4:]}: Fixed",
            "body": "We filled the pothole this morning.",
            "navigate": f"http://testserver/r/{reference}",
            "tag": f"report-{reference}",
            "lang": "en-GB",
            "silent": False,
            # What the service worker needs to update My reports: the status as the report's JSON
            # shows it, and that the body is the officer's message (the history step's message).
            "data": {"reference": reference, "status": "fixed", "url": f"/r/{reference}",
                     "status_name": "Fixed", "status_kind": "fixed", "body_is_message": True},
        },
    }
    # Never contact details or internal notes, anywhere in what the push service carries.
    decrypted = str(request.payload)
    assert not any(secret in decrypted for secret in ("ada@example.org", "07700", "Crew 7", "2 bags"))
    headers = request.headers
    assert headers["ttl"] == str(28 * 24 * 3600)
    assert headers["urgency"] == "normal"
    assert headers["topic"] == f"report-{reference}" and len(headers["topic"]) <= 32
    assert headers["content-encoding"] == "aes128gcm"
    assert request.claims["sub"] == "mailto:push-tests@westminster.example"
    subscription = await PushSubscription.select().where(PushSubscription.endpoint == mock_push.url("ok", name)).first()
    assert subscription["last_success_at"] is not None and subscription["failure_count"] == 0


async def test_without_a_public_message_the_status_description_is_the_body(push_client, resident, browser, mock_push,
                                                                           push_settings):
    reference, name = await reported_and_subscribed(push_client, resident, browser, mock_push, "ok")

    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER)
    await settled(reference)

    [request] = mock_push.delivered(name)
    assert request.payload["notification"]["body"] == "An officer is looking into it."
    # The description is not the officer's message: the worker adds a history step without one.
    data = request.payload["notification"]["data"]
    assert (data["status_name"], data["status_kind"], data["body_is_message"]) == ("Investigating", "open", False)


async def test_a_long_message_is_cut_to_fit_4096_encrypted_bytes(push_client, resident, browser, mock_push,
                                                                push_settings):
    reference, name = await reported_and_subscribed(push_client, resident, browser, mock_push, "ok")
    message = "Le trottoir était réparé — " * 150  # about 4000 characters, many of them two bytes

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER, public_message=message[:4000])
    await settled(reference)

    [request] = mock_push.delivered(name)
    body = request.payload["notification"]["body"]
    assert body.endswith("…") and message.startswith(body[:-1])
    assert int(request.headers["content-length"]) <= MAX_ENCRYPTED
    data = request.payload["notification"]["data"]
    assert (data["status_name"], data["status_kind"], data["body_is_message"]) == ("Fixed", "fixed", True)


async def test_an_internal_note_alone_tells_nobody_but_a_public_message_does(push_client, resident, browser,
                                                                             mock_push, push_settings):
    reference, name = await reported_and_subscribed(push_client, resident, browser, mock_push, "ok")

    await change_status(reference, "received", settings=push_settings, actor=OFFICER, internal_note="Checked CCTV")
    assert await settled(reference) == []
    await change_status(reference, "received", settings=push_settings, actor=OFFICER,
                        public_message="We have asked the contractor to look.")
    await settled(reference)

    assert [r.payload["notification"]["body"] for r in mock_push.delivered(name)] == [
        "We have asked the contractor to look."]


async def test_followers_of_a_public_report_hear_but_a_private_report_tells_only_its_reporter(
        push_client, resident, browser, mock_push, push_settings):
    from reportit.accounts.tables import Device
    from reportit.push.tables import Follow
    from reportit.reports.tables import Report

    neighbour = (await push_client.post("/api/devices")).json()
    neighbour["headers"] = {"Authorization": f"Bearer {neighbour['token']}"}
    theirs = unique_name()
    await subscribe(push_client, neighbour, browser, mock_push.url("ok", theirs))
    mine = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", mine))
    public = await new_report(push_client, resident)
    private = await new_private_report(push_client, resident)
    assert (await push_client.post(f"/api/reports/{public}/follow", headers=neighbour["headers"])).status_code == 201
    # Even a follow row that slipped in (say, from before the report was made private) is not told.
    report = await Report.select(Report.id).where(Report.reference == private).first()
    device = await Device.select(Device.id).where(Device.device_id == neighbour["device_id"]).first()
    await Follow(report=report["id"], device=device["id"]).save()

    await change_status(public, "fixed", settings=push_settings, actor=OFFICER)
    await change_status(private, "investigating", settings=push_settings, actor=OFFICER)
    await settled(public)
    await settled(private)

    assert [r.payload["notification"]["data"]["reference"] for r in mock_push.delivered(theirs)] == [public]
    assert sorted(r.payload["notification"]["data"]["reference"] for r in mock_push.delivered(mine)) == sorted(
        [public, private])


async def test_404_and_410_remove_the_subscription(push_client, resident, browser, mock_push, push_settings):
    for behaviour in ("gone", "notfound"):
        reference, name = await reported_and_subscribed(push_client, resident, browser, mock_push, behaviour)

        await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
        rows = await settled(reference)

        assert [(r["state"], r["last_status"], r["attempts"]) for r in rows] == [
            ("gone", 410 if behaviour == "gone" else 404, 1)]
        assert not await PushSubscription.exists().where(PushSubscription.endpoint == mock_push.url(behaviour, name))
        assert len(mock_push.for_path(name)) == 1


async def test_429_waits_for_retry_after(push_client, resident, browser, mock_push, push_settings):
    reference, name = await reported_and_subscribed(push_client, resident, browser, mock_push, "ratelimit")

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    [row] = await settled(reference)

    assert (row["state"], row["last_status"], row["attempts"]) == ("pending", 429, 1)
    # The mock says Retry-After: 120; the row is parked until then (from the moment of the attempt).
    [request] = mock_push.for_path(name)
    waited = (row["next_attempt_at"] - row["claimed_at"]).total_seconds()
    assert 119 <= waited <= 121
    assert await PushSubscription.exists().where(PushSubscription.endpoint == mock_push.url("ratelimit", name))


async def test_503_is_retried_with_backoff_then_201_is_sent_once(push_client, resident, browser, mock_push,
                                                                 push_settings):
    reference, name = await reported_and_subscribed(push_client, resident, browser, mock_push, "flaky")

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    [row] = await settled(reference)
    assert (row["state"], row["last_status"], row["attempts"]) == ("pending", 503, 1)
    backoff = (row["next_attempt_at"] - row["claimed_at"]).total_seconds()
    assert 15 <= backoff <= 45  # 30 s with jitter

    # Time passes: the retry is due.
    await Notification.update({Notification.next_attempt_at: datetime.now(timezone.utc)}).where(
        Notification.id == row["id"])
    wake_senders()
    [row] = await settled(reference)

    assert (row["state"], row["last_status"], row["attempts"]) == ("sent", 201, 2)
    assert [r.status for r in mock_push.for_path(name)] == [503, 201]


async def test_413_is_a_configuration_error_and_not_retried(push_client, resident, browser, mock_push, push_settings):
    reference, name = await reported_and_subscribed(push_client, resident, browser, mock_push, "toolarge")

    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    [row] = await settled(reference)

    assert (row["state"], row["last_status"], row["attempts"]) == ("failed", 413, 1)
    assert "too large" in row["last_error"]
    assert len(mock_push.for_path(name)) == 1
    subscription = await PushSubscription.select().where(
        PushSubscription.endpoint == mock_push.url("toolarge", name)).first()
    assert subscription["failure_count"] == 1


async def test_a_newer_status_uses_the_same_topic_and_tag(push_client, resident, browser, mock_push, push_settings):
    reference, name = await reported_and_subscribed(push_client, resident, browser, mock_push, "ok")

    await change_status(reference, "in_progress", settings=push_settings, actor=OFFICER)
    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER)
    await settled(reference)

    requests = mock_push.delivered(name)
    assert {r.headers["topic"] for r in requests} == {f"report-{reference}"}
    assert {r.payload["notification"]["tag"] for r in requests} == {f"report-{reference}"}
    assert sorted(r.payload["notification"]["data"]["status"] for r in requests) == ["fixed", "in_progress"]
    assert datetime.now(timezone.utc) - timedelta(minutes=1) < max(
        r["sent_at"] for r in await Notification.select(Notification.sent_at).where(
            Notification.report.reference == reference))


def test_the_fields_for_my_reports_never_push_the_payload_over_the_limit(settings):
    # The longest status name, and the most bytes a 4000-character message can take.
    longest = max(settings.catalogue.statuses, key=lambda s: len(s.name.encode()))
    for message in ("a" * 4000, "€" * 4000, "🚧" * 4000):
        data = payload(news_for(settings, "K7QM4XRT", longest.code, message), settings.config.base_url)
        assert len(data) <= MAX_PAYLOAD
        notification = json.loads(data)["notification"]
        assert notification["body"].endswith("…") and message.startswith(notification["body"][:-1])
        assert notification["data"] == {"reference": "K7QM4XRT", "status": longest.code, "url": "/r/K7QM4XRT",
                                        "status_name": longest.name, "status_kind": longest.kind,
                                        "body_is_message": True}
