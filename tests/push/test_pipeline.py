"""The fast path keeps the outbox's promises: pipelined batches, encryption in a worker process,
one VAPID JWT reused per push service, and one HTTP client per lane."""

from __future__ import annotations

import asyncio
import json

from reportit.push.message import PushEncoder, StatusNews, Target
from reportit.push.sender import Sender, SenderConfig
from reportit.push.tables import Notification
from reportit.push.vapid import load_or_create
from tests.push.mock_push import MockPushService
from tests.push.test_outbox import parked_rows
from reportit.app_state import services


async def _drain(sender: Sender) -> int:
    try:
        return await sender.drain()
    finally:
        await sender.aclose()


async def test_many_small_batches_in_a_pipeline_each_row_sent_once(
        push_client, resident, browser, mock_push, push_settings, push_app, clock):
    reference, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=23)
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                    config=SenderConfig(push_batch=5, concurrency=3, process_batch=0))

    assert await _drain(sender) == 23

    counts = mock_push.delivered_counts()
    assert [counts[f"/push/ok/{name}"] for name in names] == [1] * 23
    states = await Notification.select(Notification.state).where(Notification.report.reference == reference)
    assert {row["state"] for row in states} == {"sent"}


async def test_a_big_batch_is_encrypted_in_a_worker_process_and_decrypts(
        push_client, resident, browser, mock_push, push_settings, push_app, clock):
    reference, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=6)
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                    config=SenderConfig(push_batch=3, process_batch=2))

    assert await _drain(sender) == 6

    for name in names:
        [received] = mock_push.delivered(name)
        assert received.payload["notification"]["navigate"].endswith(f"/r/{reference}")
        assert received.claims["sub"] == "mailto:push-tests@westminster.example"


async def test_the_worker_process_encrypts_for_the_subscription_and_signs_with_our_key(
        push_settings, push_app, browser):
    import http_ece
    import jwt
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    sender = Sender(push_settings, secret_key=services(push_app).secret_key, config=SenderConfig(process_batch=1))
    items = [(StatusNews("K7QM4XRT", "fixed", "Fixed", f"Done {i}"),
              Target(f"https://fcm.googleapis.com/fcm/send/{i}", **browser.keys)) for i in range(3)]
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while (requests := await sender.encoding.in_process(items)) is None:  # None while it starts
            assert asyncio.get_running_loop().time() < deadline, "the encoder process never started"
            await asyncio.sleep(0.05)
    finally:
        await sender.aclose()

    for i, request in enumerate(requests):
        plain = http_ece.decrypt(request.body, private_key=browser.private_key, auth_secret=browser.auth,
                                 version="aes128gcm")
        assert json.loads(plain)["notification"]["body"] == f"Done {i}"
        token = request.headers["Authorization"].split("t=", 1)[1].split(",")[0]
        claims = jwt.decode(token, load_pem_public_key(sender.keys.public_pem), algorithms=["ES256"],
                            audience="https://fcm.googleapis.com")
        assert claims["sub"] == "mailto:push-tests@westminster.example"
    assert request.headers["TTL"] == str(4 * 7 * 24 * 3600)


async def test_a_dead_encoder_process_falls_back_to_a_thread(
        push_client, resident, browser, mock_push, push_settings, push_app, clock, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    import reportit.push.encoding as encoding_module

    reference, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=4)

    class Broken:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("worker died")

        def shutdown(self, *args, **kwargs) -> None:
            pass

    monkeypatch.setattr(encoding_module, "ProcessPoolExecutor", Broken)
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                    config=SenderConfig(process_batch=1))

    assert await _drain(sender) == 4
    assert all(len(mock_push.delivered(name)) == 1 for name in names)


def test_one_vapid_jwt_serves_a_push_service_and_each_message_is_encrypted_afresh(settings, browser):
    encoder = PushEncoder(load_or_create(settings.config.data_dir), "push-tests@westminster.example", settings.config.base_url)
    news = StatusNews("K7QM4XRT", "fixed", "Fixed", "Done")
    first = encoder.request(news, Target("https://fcm.googleapis.com/fcm/send/a", **browser.keys))
    second = encoder.request(news, Target("https://fcm.googleapis.com/fcm/send/b", **browser.keys))
    other = encoder.request(news, Target("https://updates.push.services.mozilla.com/wpush/v2/c", **browser.keys))

    assert first.headers["Authorization"] == second.headers["Authorization"]
    assert other.headers["Authorization"] != first.headers["Authorization"]  # aud is per push service
    assert first.body != second.body  # a fresh key and salt every time


async def test_push_clients_keep_no_cookies(push_client, resident, browser, mock_push, push_settings, push_app, clock):
    # The mock sets a cookie with every answer: none may come back, over HTTP/1.1 or HTTP/2. (aiohttp's
    # own cookie jar would refuse one from an IP address anyway, so it is the HTTP/2 half that can
    # catch a client keeping cookies here; a push service has a host name.)
    only_http2 = MockPushService(browser, vapid_public_key=mock_push.vapid_public_key, http2_only=True)
    only_http2.start()
    try:
        for service in (mock_push, only_http2):
            _, names = await parked_rows(push_client, resident, browser, service, push_settings, clock, count=6)
            sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                            config=SenderConfig(push_batch=2, concurrency=1, process_batch=0))
            assert await _drain(sender) == 6
            received = [r for name in names for r in service.for_path(name)]
            assert [r.headers.get("cookie") for r in received] == [None] * len(received)
            assert {r.http_version for r in received if r.status == 201} == ({"1.1"} if service is mock_push else {"2"})
    finally:
        only_http2.stop()


async def test_no_request_starts_too_late_in_the_lease_and_the_rows_are_sent_after_it(
        push_client, resident, browser, mock_push, push_settings, push_app, clock):
    from reportit.push.sender import REQUEST_BUDGET

    reference, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=3)
    slow = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock)
    other = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock)
    try:
        claim = await slow.claim()
        assert len(claim.rows) == 3
        clock.now = claim.lease_until - REQUEST_BUDGET / 2  # e.g. the batch before took that long
        await slow.deliver(claim)
        assert all(mock_push.for_path(name) == [] for name in names)  # nothing went out so late

        clock.advance(REQUEST_BUDGET.total_seconds())  # the lease is over: anyone may take them
        assert await other.drain() == 3
    finally:
        await slow.aclose()
        await other.aclose()
    assert all(len(mock_push.for_path(name)) == 1 for name in names)
    states = await Notification.select(Notification.state).where(Notification.report.reference == reference)
    assert {row["state"] for row in states} == {"sent"}
