"""Push services misbehaving at the transport level, and senders dying: nothing lost, nothing twice.

Push services speak HTTP/2 over TLS: they end connections (GOAWAY) and reset streams
(RST_STREAM) when they like, and a certificate may fail to verify. Several senders (one per machine) share the outbox."""

from __future__ import annotations

import asyncio

import pytest
import trustme

from reportit.app_state import services
from reportit.push.sender import Sender, SenderConfig
from reportit.push.tables import Notification
from tests.push.mock_push import MockPushService
from tests.push.resetting_push import ResettingPushService
from tests.push.test_outbox import parked_rows


@pytest.fixture
def other_push(browser, mock_push, request):
    """Another push service, with the parameters the test asks for (`indirect` params). Its
    certificate is from a CA of its own, which the sender does not trust, unless `trusted`."""
    options = dict(getattr(request, "param", {}))
    if not options.pop("trusted", False):
        options["ca"] = trustme.CA()
    service = MockPushService(browser, vapid_public_key=mock_push.vapid_public_key, **options)
    service.start()
    yield service
    service.stop()


async def _rows(reference: str) -> list[dict]:
    return await Notification.select(Notification.state, Notification.last_error, Notification.next_attempt_at,
                                     Notification.attempts).where(Notification.report.reference == reference)


async def test_a_push_service_whose_certificate_does_not_verify_gets_nothing_and_the_row_waits_to_retry(
        push_client, resident, browser, mock_push, push_settings, push_app, clock, other_push):
    reference, [name] = await parked_rows(push_client, resident, browser, other_push, push_settings, clock)
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock)
    try:
        assert await sender.drain() == 1
    finally:
        await sender.aclose()

    assert other_push.received == []  # never sent: TLS failed before any request
    [row] = await _rows(reference)
    assert row["state"] == "pending" and row["next_attempt_at"] > clock.now
    assert row["last_error"].startswith("the push service's TLS certificate did not verify"), row["last_error"]


@pytest.mark.parametrize("other_push", [{"requests_per_connection": 20, "trusted": True, "http2_only": True},
                                        {"requests_per_connection": 20, "trusted": True}],
                         ids=["HTTP/2 GOAWAY", "HTTP/1.1 Connection: close"], indirect=True)
async def test_a_push_service_ending_connections_mid_fan_out_loses_nothing(
        push_client, resident, browser, mock_push, push_settings, push_app, clock, other_push):
    reference, names = await parked_rows(push_client, resident, browser, other_push, push_settings, clock, count=60)
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                    config=SenderConfig(push_batch=60, concurrency=8, process_batch=0))
    try:
        for _ in range(8):  # retries, if any, are due within two hours on the test's clock
            await sender.drain()
            if {r["state"] for r in await _rows(reference)} == {"sent"}:
                break
            clock.advance(7200)
    finally:
        await sender.aclose()

    counts = other_push.delivered_counts()
    assert all(counts[f"/push/ok/{name}"] >= 1 for name in names)
    assert {r["state"] for r in await _rows(reference)} == {"sent"}
    # hypercorn's GOAWAY drops the answers of requests it had taken: those are sent again (HTTP
    # cannot tell "not processed" from "answer lost"), under the same Topic, so a push service
    # keeps one of them for the phone.
    again = [r for r in other_push.received if counts[r.path] > 1]
    assert len({r.headers["topic"] for r in again}) <= 1
    delivered = [r for r in other_push.received if r.status == 201]
    assert len({r.client_port for r in delivered}) >= 60 // 20  # a connection ended every 20 requests
    # A service that speaks only HTTP/2 (505 to HTTP/1.1) is spoken to over HTTP/2 from its first answer on.
    assert {r.http_version for r in delivered} == ({"2"} if other_push.http2_only else {"1.1"})
    assert len([r for r in other_push.received if r.status == 505]) <= 16  # at most the first requests in flight


async def test_a_sender_killed_mid_batch_while_another_runs_loses_nothing_and_resends_only_what_was_in_flight(
        push_client, resident, browser, mock_push, push_settings, push_app, clock):
    # Slow answers, so the kill finds requests in flight; one the killed sender abandoned counts as
    # not delivered (499), as the push service never got to answer it.
    reference, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=40,
                                         behaviour="slow")
    config = SenderConfig(push_batch=20, concurrency=2, process_batch=0)
    killed = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock, config=config)
    other = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock, config=config)
    try:
        both = [asyncio.create_task(killed.drain()), asyncio.create_task(other.drain())]
        deadline = asyncio.get_running_loop().time() + 30
        while sum(len(mock_push.delivered(n)) for n in names) < 4:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.01)
        # Killed mid-batch: its requests in flight are cut off with its connections (the push service
        # sees them go, 499); what was answered is recorded as it dies; the rest of its claim waits.
        both[0].cancel()
        await killed.aclose()
        await asyncio.gather(*both, return_exceptions=True)
        clock.advance(config.lease.total_seconds() + 1)  # the killed sender's claim runs out
        await other.drain()
        clock.advance(24 * 3600)
        assert await other.drain() == 0
    finally:
        await killed.aclose()
        await other.aclose()

    counts = mock_push.delivered_counts()
    assert all(counts[f"/push/slow/{name}"] >= 1 for name in names)  # nothing lost
    assert {r["state"] for r in await _rows(reference)} == {"sent"}
    # Nothing it had recorded is sent again. A request the push service answered in the instant
    # before the kill, unrecorded, is sent again after the lease (HTTP cannot tell us otherwise):
    # at most one per request it had in flight, under the same Topic.
    assert sum(counts[f"/push/slow/{name}"] for name in names) - len(names) <= config.concurrency


async def test_a_push_service_resetting_streams_mid_fan_out_gets_every_message_exactly_once(
        push_client, resident, browser, mock_push, push_settings, push_app, clock):
    resetting = ResettingPushService(mock_push.ca, reset_every=9)
    resetting.start()
    try:
        reference, names = await parked_rows(push_client, resident, browser, resetting, push_settings, clock, count=50)
        sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                        config=SenderConfig(push_batch=50, concurrency=8, process_batch=0))
        try:
            for _ in range(8):  # the reset ones are retried on the test's clock
                await sender.drain()
                if {r["state"] for r in await _rows(reference)} == {"sent"}:
                    break
                clock.advance(7200)
        finally:
            await sender.aclose()
    finally:
        resetting.stop()

    assert resetting.resets >= 5  # one stream in nine, and the retries' own
    assert [resetting.delivered[f"/push/ok/{name}"] for name in names] == [1] * 50
    rows = await _rows(reference)
    assert {r["state"] for r in rows} == {"sent"}
    assert max(r["attempts"] for r in rows) >= 2  # the reset ones were sent again, later
