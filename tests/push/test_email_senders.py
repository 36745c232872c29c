"""Alert emails with more than one sender at work (web workers, `reportit send-notifications`): a
daily digest goes out whole and once, and a slow mail server never gets a message twice."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from reportit import database
from reportit.app_state import services
from reportit.push.alert_outbox import Addressee, digest_due, enqueue_alerts
from reportit.push.message import AlertNews
from reportit.push.sender import Sender, SenderConfig
from reportit.push.tables import Notification
from tests.push.conftest import unique_name
from tests.smtp import running_mailbox

RESIDENTS = 12
ALERTS = 7  # rows per digest: claim batches (10 rows) end in the middle of digests


async def queue_digests(push_settings, clock) -> list[str]:
    """A day's alerts for RESIDENTS residents who take emails daily, queued as an import queues
    them (one application at a time, every resident's row for it), and the clock at the digest hour."""
    addresses = [f"resident-{unique_name()}@example.org" for _ in range(RESIDENTS)]
    for n in range(ALERTS):
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


async def test_a_slow_mail_server_gets_every_alert_email_once_though_the_batch_outlasts_the_lease(
        push_app, push_settings, clock, quiet_senders):
    """A relay taking its time over each message: a batch would take longer than the claim's lease,
    and a second sender would take the rows over and send them again. No email starts late in the
    lease; those not started go back to the outbox and are sent by either sender, once each."""
    # (`clock` only moves rows earlier tests left due out of the way: these senders keep real time.)
    with running_mailbox(delay=0.6) as slow:  # ten messages take 6 s, over the 4 s lease
        settings = dataclasses.replace(push_settings, config=dataclasses.replace(push_settings.config,
                                                                                 smtp_url=slow.url))
        addresses = [f"resident-{unique_name()}@example.org" for _ in range(10)]
        async with database.write_transaction(Notification._meta.db):
            await enqueue_alerts([(AlertNews("Planning application", "Near a place you watch", f"/a/{unique_name()}",
                                             unique_name()), Addressee(0, (), email)) for email in addresses], settings)
        config = SenderConfig(lease=timedelta(seconds=4), poll_interval=0.1)
        senders = [Sender(settings, secret_key=services(push_app).secret_key, config=config) for _ in range(2)]
        for sender in senders:
            sender.start()
        try:
            rows = await sent_or_stuck(addresses)
        finally:
            for sender in senders:
                await sender.aclose()

        assert [slow.count(email) for email in addresses] == [1] * len(addresses)
        assert [row["state"] for row in rows] == ["sent"] * len(addresses)
        # Each was tried once: a message handed back unstarted does not count towards giving up.
        assert [row["attempts"] for row in rows] == [1] * len(addresses)


async def sent_or_stuck(addresses: list[str]) -> list[dict]:
    """The rows to these addresses once none is pending (or after a minute, whatever they are)."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        rows = await Notification.select(Notification.state, Notification.attempts).where(
            Notification.email.is_in(addresses))
        if all(row["state"] != "pending" for row in rows) or asyncio.get_running_loop().time() > deadline:
            return rows
        await asyncio.sleep(0.1)
