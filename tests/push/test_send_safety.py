"""What the sender does with rows it must not or cannot send: one bad subscription fails alone,
and a report hidden or made private after its notifications were queued tells only its reporter."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from reportit.accounts.tables import Device
from reportit.push.message import EncodeFailure, PushRequest, StatusNews, Target, encode_in_process, \
    start_encoder_process
from reportit.push.sender import Sender, SenderConfig
from reportit.push.tables import Notification, PushSubscription
from reportit.push.vapid import load_or_create
from reportit.reports.status import Actor, change_status
from reportit.reports.tables import Report, StatusChange
from tests.push.conftest import new_report, subscribe, unique_name
from tests.push.test_outbox import parked_rows
from reportit.app_state import services

OFFICER = Actor("staff:officer@westminster.example")
# Stored straight into the table, as rows saved before the endpoint check was tightened could be:
# webpush refuses the first when the request is built, httpx the second when it is sent.
BAD_ENDPOINTS = ("https://evil{}.com%00.push.apple.com/x", "https://evil{}.com\t.push.apple.com/x")


async def _drain(sender: Sender) -> int:
    try:
        return await sender.drain()
    finally:
        await sender.aclose()


async def _bad_rows(reference: str, browser, clock) -> list[int]:
    """Push rows for the report's latest status change, to subscriptions with malformed endpoints."""
    change = await StatusChange.select(StatusChange.id, StatusChange.report).where(
        StatusChange.report.reference == reference).order_by(StatusChange.id, ascending=False).first()
    owner = Device(device_id=uuid.uuid4(), token_hash=uuid.uuid4().hex)
    await owner.save()
    ids = []
    for template in BAD_ENDPOINTS:
        subscription = PushSubscription(device=owner.id, endpoint=template.format(unique_name()), **browser.keys)
        await subscription.save()
        row = Notification(report=change["report"], status_change=change["id"], channel="push",
                           subscription=subscription.id, next_attempt_at=clock.now, created_at=clock.now)
        await row.save()
        ids.append(row.id)
    return ids


@pytest.mark.parametrize("process_batch", [0, 1], ids=["thread", "process"])
async def test_a_subscription_with_a_bad_url_fails_alone_and_the_good_one_is_sent_exactly_once(
        push_client, resident, browser, mock_push, push_settings, push_app, clock, caplog, process_batch):
    reference, [good, other] = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock,
                                                 count=2)
    bad = await _bad_rows(reference, browser, clock)
    # All four rows in one batch, so a failure that escaped its row would sink the good ones.
    config = SenderConfig(push_batch=10, concurrency=2, process_batch=process_batch)
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock, config=config)
    later = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock, config=config)
    if process_batch:  # wait for the worker process, so this batch is really encrypted there
        deadline = asyncio.get_running_loop().time() + 30
        while await sender.encoding.in_process([]) is None:
            assert asyncio.get_running_loop().time() < deadline, "the encoder process never started"
            await asyncio.sleep(0.05)

    with caplog.at_level(logging.INFO, logger="reportit.push"):
        assert await _drain(sender) == 4
    clock.advance(config.lease.total_seconds() + 24 * 3600)  # any lease long over: nothing is left to retry
    assert await _drain(later) == 0

    assert len(mock_push.delivered(good)) == 1 and len(mock_push.delivered(other)) == 1
    rows = await Notification.select(Notification.id, Notification.state, Notification.attempts,
                                     Notification.last_error, Notification.claim_token).where(
        Notification.report.reference == reference).order_by(Notification.id)
    by_id = {row["id"]: row for row in rows}
    assert [(by_id[i]["state"], by_id[i]["attempts"], by_id[i]["claim_token"]) for i in bad] == [("failed", 1, "")] * 2
    assert "ValidationError" in by_id[bad[0]]["last_error"]  # webpush refused to build it
    assert "InvalidURL" in by_id[bad[1]]["last_error"]  # httpx refused to send it
    assert sorted(row["state"] for row in rows if row["id"] not in bad) == ["sent", "sent"]
    # The failure counts against the subscription, so fan-out stops relying on it.
    assert {s["failure_count"] for s in await PushSubscription.select(PushSubscription.failure_count).where(
        PushSubscription.id.is_in([s["subscription"] for s in await Notification.select(
            Notification.subscription).where(Notification.id.is_in(bad))]))} == {1}
    # Logged with the row's id; never the payload, nor the endpoint (which a message could quote).
    for notification_id in bad:
        assert any(f"notification={notification_id} " in r.getMessage() and r.levelno >= logging.WARNING
                   for r in caplog.records)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "evil" not in logged and "web_push" not in logged and "An officer" not in logged


def test_the_encoder_process_returns_a_failure_for_the_bad_row_and_requests_for_the_rest(settings, browser):
    keys = load_or_create(settings.config.data_dir)
    start_encoder_process(keys.private_pem, keys.public_pem, "push-tests@westminster.example", settings.config.base_url)
    news = StatusNews("K7QM4XRT", "fixed", "Fixed", "Done")

    results = encode_in_process([(news, Target("https://fcm.googleapis.com/fcm/send/a", **browser.keys)),
                                 (news, Target("https://evil.com%00.push.apple.com/x", **browser.keys)),
                                 (news, Target("https://fcm.googleapis.com/fcm/send/b", **browser.keys))])

    assert [type(r) for r in results] == [PushRequest, EncodeFailure, PushRequest]
    assert "evil" not in results[1].error


async def _neighbour(client, browser, mock_push, reference: str) -> tuple[dict, str]:
    neighbour = (await client.post("/api/devices")).json()
    neighbour["headers"] = {"Authorization": f"Bearer {neighbour['token']}"}
    name = unique_name()
    await subscribe(client, neighbour, browser, mock_push.url("ok", name))
    assert (await client.post(f"/api/reports/{reference}/follow", headers=neighbour["headers"])).status_code == 201
    return neighbour, name


@pytest.mark.parametrize("change", ["hidden", "private"])
async def test_a_report_hidden_or_made_private_after_queueing_tells_only_its_reporter(
        push_client, resident, browser, mock_push, push_settings, push_app, clock, quiet_senders, change):
    mine = unique_name()
    await subscribe(push_client, resident, browser, mock_push.url("ok", mine))
    reference = await new_report(push_client, resident)
    _, theirs = await _neighbour(push_client, browser, mock_push, reference)

    # Queued while the report was public: a row for the reporter and one for the neighbour.
    await change_status(reference, "investigating", settings=push_settings, actor=OFFICER)
    report = await Report.select(Report.id).where(Report.reference == reference).first()
    await Notification.update({Notification.next_attempt_at: clock.now}).where(
        (Notification.report == report["id"]) & (Notification.state == "pending"))
    assert await Notification.count().where(Notification.report == report["id"]) == 2
    # Then, before the sender got to them, an officer hid the report (or it was made private).
    await Report.update({getattr(Report, change): True}).where(Report.id == report["id"])

    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock)
    assert await _drain(sender) == 2

    assert len(mock_push.delivered(mine)) == 1
    assert mock_push.for_path(theirs) == []
    rows = await Notification.select(Notification.state, Notification.last_error, Notification.claim_token,
                                     Notification.follow.reporter.as_alias("reporter")).where(
        Notification.report == report["id"]).order_by(Notification.id)
    assert sorted((r["reporter"], r["state"]) for r in rows) == [(False, "skipped"), (True, "sent")]
    [skipped] = [r for r in rows if r["state"] == "skipped"]
    assert skipped["last_error"] == f"the report was {'hidden' if change == 'hidden' else 'made private'} " \
                                    "after this notification was queued"
    assert skipped["claim_token"] == ""
    # A skipped push row is not a failed one: no email goes to the neighbour instead.
    assert await Notification.count().where(Notification.report == report["id"]) == 2


async def test_a_batch_of_only_withheld_rows_does_not_stop_the_drain(
        push_client, resident, browser, mock_push, push_settings, push_app, clock, quiet_senders):
    hidden_reference, _ = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock,
                                            count=3)
    # parked_rows' follows are not the reporter's, so hiding the report withholds all three.
    await Report.update({Report.hidden: True}).where(Report.reference == hidden_reference)
    clock.advance(1)  # the public report's rows come after the hidden one's
    reference, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=2)
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                    config=SenderConfig(push_batch=3, process_batch=0))

    assert await _drain(sender) == 5

    assert all(len(mock_push.delivered(name)) == 1 for name in names)
    assert {r["state"] for r in await Notification.select(Notification.state).where(
        Notification.report.reference == hidden_reference)} == {"skipped"}
