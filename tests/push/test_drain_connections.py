"""A drain's outbox work goes through the driver, and on SQLite on connections it keeps for the
drain (push/claims.py, push/kept_sqlite.py): what it writes is what the ORM wrote, and it closes
every connection it opened (one let go unclosed leaves its thread to the garbage collector)."""

from __future__ import annotations

import gc
import warnings

from reportit.app_state import services
from reportit.push.sender import Sender, SenderConfig
from reportit.push.tables import Notification, PushSubscription
from tests.push.test_outbox import parked_rows


async def test_a_drain_of_several_batches_records_every_answer_and_closes_its_connections(
        push_client, resident, browser, mock_push, push_settings, push_app, clock):
    reference, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=5)
    _, [gone] = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, behaviour="gone")
    # Batches of 2: several claims and writes of outcomes in one drain.
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                    config=SenderConfig(push_batch=2, concurrency=1, process_batch=0))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            assert await sender.drain() == 6
            gc.collect()  # a connection left open is found here, when it is let go unclosed
        assert not [w for w in caught if "deleted before being closed" in str(w.message)]
        assert await sender.drain() == 0  # nothing left claimable: each row was written down once
    finally:
        await sender.aclose()

    assert all(len(mock_push.delivered(name)) == 1 for name in names)
    rows = await Notification.select(Notification.state, Notification.attempts, Notification.last_status,
                                     Notification.claim_token, Notification.sent_at, Notification.subscription
                                     ).where(Notification.report.reference == reference)
    assert [(r["state"], r["attempts"], r["last_status"], r["claim_token"]) for r in rows] == [
        ("sent", 1, 201, "")] * 5
    assert all(r["sent_at"] == clock.now for r in rows)
    healthy = await PushSubscription.select(PushSubscription.last_success_at, PushSubscription.failure_count).where(
        PushSubscription.id.is_in([r["subscription"] for r in rows]))
    assert [(s["last_success_at"], s["failure_count"]) for s in healthy] == [(clock.now, 0)] * 5
    # The 410 went down the ORM's path, inside the same kept transaction: the subscription is gone.
    assert not await PushSubscription.exists().where(PushSubscription.endpoint == mock_push.url("gone", gone))


async def test_outcomes_a_mid_batch_write_could_not_store_are_written_at_the_end_of_the_batch(
        push_client, resident, browser, mock_push, push_settings, push_app, clock, monkeypatch, caplog):
    """The database refuses one of the writes made while a batch goes on (a lock held too long, a
    connection lost): those answers are written with the rest, not dropped to be sent again."""
    import reportit.push.sender as sender_module

    monkeypatch.setattr(sender_module, "RECORD_EVERY", 2)
    reference, names = await parked_rows(push_client, resident, browser, mock_push, push_settings, clock, count=6)
    sender = Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock,
                    config=SenderConfig(push_batch=10, concurrency=1, process_batch=0))
    real_record, refused = sender._record, []

    async def refuse_the_first_write(token, chunk):
        if not refused:
            refused.append(len(chunk))
            raise ConnectionError("the database went away for a moment")
        await real_record(token, chunk)

    monkeypatch.setattr(sender, "_record", refuse_the_first_write)
    try:
        assert await sender.drain() == 6
    finally:
        await sender.aclose()

    assert refused == [2] and "event=push_outcomes_not_written rows=2" in caplog.text
    assert all(len(mock_push.delivered(name)) == 1 for name in names)
    rows = await Notification.select(Notification.state, Notification.claim_token).where(
        Notification.report.reference == reference)
    assert [(r["state"], r["claim_token"]) for r in rows] == [("sent", "")] * 6
