"""Finished notifications are deleted after the retention period; pending ones never are."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from reportit.push.retention import prune_finished
from reportit.push.sender import Sender
from reportit.push.tables import Notification
from reportit.reports.status import Actor, change_status
from reportit.reports.tables import Report
from tests.push.conftest import FakeClock, new_report, settled, subscribe, unique_name
from reportit.app_state import services

OFFICER = Actor("staff:officer@westminster.example")


async def outbox_states(reference: str) -> list[str]:
    rows = await Notification.select(Notification.state).where(Notification.report.reference == reference)
    return sorted(r["state"] for r in rows)


async def told(push_client, browser, mock_push, push_settings, behaviour: str) -> str:
    """A new resident's report whose status change went to their phone, answered with `behaviour`."""
    body = (await push_client.post("/api/devices")).json()
    resident = {**body, "headers": {"Authorization": f"Bearer {body['token']}"}}
    reference = await new_report(push_client, resident)
    await subscribe(push_client, resident, browser, mock_push.url(behaviour, unique_name()))
    await change_status(reference, "fixed", settings=push_settings, actor=OFFICER, public_message="Done")
    await settled(reference)
    return reference


async def test_finished_rows_go_after_the_retention_period_and_pending_ones_stay(
        push_client, browser, mock_push, push_settings):
    sent = await told(push_client, browser, mock_push, push_settings, "ok")
    waiting = await told(push_client, browser, mock_push, push_settings, "ratelimit")  # retried later
    assert await outbox_states(sent) == ["sent"]
    assert await outbox_states(waiting) == ["pending"]
    now, keep = datetime.now(timezone.utc), timedelta(days=90)
    try:
        await prune_finished(now, keep)
        assert await outbox_states(sent) == ["sent"]  # a day old is not 90 days old

        deleted = await prune_finished(now + timedelta(days=91), keep, chunk=1)  # in chunks, until none is left
        assert deleted >= 1
        assert await outbox_states(sent) == []
        assert await outbox_states(waiting) == ["pending"]  # not yet sent: never forgotten
    finally:  # other tests' senders run on clocks hours ahead: leave them no row of ours to send
        await Notification.delete().where(Notification.report.is_in(
            Report.select(Report.id).where(Report.reference == waiting)))


async def test_the_sender_prunes_at_most_once_an_hour(push_client, browser, mock_push, push_settings, push_app):
    first = await told(push_client, browser, mock_push, push_settings, "ok")
    clock = FakeClock(datetime.now(timezone.utc) + timedelta(days=push_settings.config.notification_retention_days + 1))
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock)
    try:
        assert await sender.prune_if_due() >= 1
        assert await outbox_states(first) == []

        second = await told(push_client, browser, mock_push, push_settings, "ok")
        clock.advance(30 * 60)
        assert await sender.prune_if_due() == 0  # pruned half an hour ago
        assert await outbox_states(second) == ["sent"]
        clock.advance(31 * 60)
        assert await sender.prune_if_due() >= 1
        assert await outbox_states(second) == []
    finally:
        await sender.aclose()
