"""Push's subscriptions to the reports and accounts domains' events (wired in `reportit.wiring`)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from reportit import database
from reportit.events import DeviceJoinedAccount, ReportCreated, StatusChanged
from reportit.push import confirmation, wakeups
from reportit.push.fanout import account_reach, enqueue_status_change, working_subscriptions
from reportit.push.follows import follow_own_report
from reportit.push.sender import wake_senders
from reportit.push.tables import Notification
from reportit.settings import Settings

log = logging.getLogger(__name__)


async def follow_reporter(event: ReportCreated, settings: Settings) -> None:
    """The reporter hears about their own report; an address not yet known to be theirs is sent one
    confirmation link once the report is committed (never before: a rolled-back report sends nothing)."""
    waiting = await follow_own_report(event.report_id, event.device_id, event.contact_email)
    if waiting is not None and event.device_id is not None:
        database.after_commit(lambda: confirmation.send_later(settings, waiting, event.reference,
                                                              event.contact_email.strip(), event.device_id))


async def queue_notifications(event: StatusChanged, settings: Settings) -> None:
    """Outbox rows in the status change's transaction; the sender is woken once they are committed."""
    queued = await enqueue_status_change(
        report_id=event.report_id, status_change_id=event.status_change_id, from_status=event.from_status,
        to_status=event.to_status, public_message=event.public_message, settings=settings,
    )
    if queued:
        # Other processes' senders (PostgreSQL): woken by the commit itself.
        await wakeups.announce(Notification._meta.db)
        # After the commit (the change's own, or an outer one it joined), so the sender sees the rows.
        database.after_commit(wake_senders)


async def reach_the_account(event: DeviceJoinedAccount, settings: Settings) -> None:
    """Nothing is copied: the fan-out asks which devices share an account each time it runs, so the
    account's follows reach this device from now on, and this device's follows reach the others.
    What is logged is what the resident will now get pushes on."""
    devices = (await account_reach([event.device_id]))[event.device_id]
    working = await working_subscriptions(devices, datetime.now(timezone.utc))
    log.info("event=push_reach_joined account=%d devices=%d subscriptions=%d", event.account_id, len(devices),
             sum(len(s) for s in working.values()))
