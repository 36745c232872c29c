"""Alert emails with more than one sender at work (web workers, `reportit send-notifications`): a
daily digest goes out whole and once, and a slow mail server never gets a message twice."""

from __future__ import annotations

import asyncio

from reportit import database
from reportit.app_state import services
from reportit.push.alert_outbox import Addressee, digest_due, enqueue_alerts
from reportit.push.message import AlertNews
from reportit.push.sender import Sender
from reportit.push.tables import Notification
from tests.push.conftest import unique_name

RESIDENTS = 12
ALERTS = 7  # rows per digest: claim batches (10 rows) end in the middle of digests


async def queue_digests(push_settings, clock, alerts: int = ALERTS) -> list[str]:
    """A day's alerts for RESIDENTS residents who take emails daily, queued as an import queues
    them (one application at a time, every resident's row for it), and the clock at the digest hour."""
    addresses = [f"resident-{unique_name()}@example.org" for _ in range(RESIDENTS)]
    for n in range(alerts):
        news = AlertNews(f"Planning application {n}", "Near a place you watch", f"/a/{unique_name()}", unique_name())
        async with database.write_transaction(Notification._meta.db):
            await enqueue_alerts([(news, Addressee(0, (), email, "daily")) for email in addresses], push_settings,
                                 now=clock.now)
    clock.now = digest_due(clock.now)
    return addresses


async def test_two_senders_claiming_at_the_digest_hour_send_each_resident_one_whole_digest(
        push_app, push_settings, mailbox, clock, quiet_senders):
    """Both take email at the same moment (07:00): every digest is claimed by one of them whole, and
    each resident gets one "Your alerts" email listing all of that day's alerts."""
    addresses = await queue_digests(push_settings, clock)
    senders = [Sender(push_settings, secret_key=services(push_app).secret_key, clock=clock) for _ in range(2)]
    try:
        await asyncio.gather(*(sender.drain() for sender in senders))
    finally:
        for sender in senders:
            await sender.aclose()

    assert [[m["Subject"] for m in mailbox.to(email)] for email in addresses] == [
        [f"Your alerts: {ALERTS} new"]] * RESIDENTS
    states = await Notification.select(Notification.state).where(Notification.email.is_in(addresses))
    assert [row["state"] for row in states] == ["sent"] * RESIDENTS * ALERTS
