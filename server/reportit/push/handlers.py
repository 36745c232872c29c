"""Push's subscriptions to the reports domain's events (wired in `reportit.wiring`)."""

from __future__ import annotations

from reportit import database
from reportit.events import ReportCreated, StatusChanged
from reportit.push.fanout import enqueue_status_change
from reportit.push.follows import follow_own_report
from reportit.push.sender import wake_senders
from reportit.settings import Settings


async def follow_reporter(event: ReportCreated, settings: Settings) -> None:
    """The reporter hears about their own report."""
    await follow_own_report(event.report_id, event.device_id, event.contact_email)


async def queue_notifications(event: StatusChanged, settings: Settings) -> None:
    """Outbox rows in the status change's transaction; the sender is woken once they are committed."""
    queued = await enqueue_status_change(
        report_id=event.report_id, status_change_id=event.status_change_id, from_status=event.from_status,
        to_status=event.to_status, public_message=event.public_message, settings=settings,
    )
    if queued:
        # After the commit (the change's own, or an outer one it joined), so the sender sees the rows.
        database.after_commit(wake_senders)
