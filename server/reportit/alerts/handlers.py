"""Alerts' subscriptions to other domains' events (wired in `reportit.wiring`).

Each runs in the publisher's transaction: it remembers the application (for "about N a week"),
matches the point against saved alerts through the spatial index and writes outbox rows. It never
waits on sending; the senders are woken once the transaction commits.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from urllib.parse import quote

from reportit.fast_sql import insert_rows
from reportit.alerts.matching import Match, alerts_at, alerts_following
from reportit.alerts.notify import notify
from reportit.alerts.tables import Alert, ApplicationNotice
from reportit.events import AccountErased, ApplicationChanged, ApplicationReceived, ReportCreated
from reportit.push.alert_outbox import withdraw_alerts
from reportit.push.message import AlertNews
from reportit.reports.tables import Report
from reportit.reports.visibility import columns, is_public
from reportit.settings import Settings

log = logging.getLogger(__name__)

REGIMES = ("planning", "licensing")
MAX_BODY = 300


def _place(match: Match) -> str:
    return match.label or "your alert area"


def _cut(text: str, limit: int = MAX_BODY) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def _remember(reference: str, regime: str, kind: str, latitude: float | None, longitude: float | None) -> None:
    """What "about N a week" counts (an import publishes thousands: straight to the driver)."""
    await insert_rows(ApplicationNotice, ("reference", "regime", "kind", "latitude", "longitude", "heard_at"),
                      [(reference, regime, kind, latitude, longitude, datetime.now(timezone.utc))])


def application_path(reference: str) -> str:
    return f"/a/{quote(reference, safe='')}"


async def application_received(event: ApplicationReceived, settings: Settings) -> None:
    """A new application: residents whose alert area holds its point and who chose its regime."""
    await _remember(event.reference, event.regime, "received", event.latitude, event.longitude)
    if event.latitude is None or event.longitude is None or event.regime not in REGIMES:
        return
    matches = await alerts_at(event.latitude, event.longitude, event.regime)

    def words(match: Match) -> AlertNews:
        return AlertNews(title=f"New {event.regime} application near {_place(match)}",
                         body=_cut(f"{event.address}: {event.description}" if event.address else event.description),
                         url=application_path(event.reference), tag=f"application-{event.reference}",
                         reference=event.reference)

    await notify(matches, words, settings)


async def application_changed(event: ApplicationChanged, settings: Settings) -> None:
    """A changed application: residents who follow it, or watch changes in an area that holds it."""
    await _remember(event.reference, event.regime, "changed", event.latitude, event.longitude)
    matches = {m.alert_id: m for m in await alerts_following(event.reference)}
    if event.latitude is not None and event.longitude is not None:
        for match in await alerts_at(event.latitude, event.longitude, "changes"):
            matches.setdefault(match.alert_id, match)

    def words(match: Match) -> AlertNews:
        return AlertNews(title=f"Application {event.reference}: {_cut(event.summary, 120)}",
                         body=_cut(event.address or event.summary),
                         url=application_path(event.reference), tag=f"application-{event.reference}",
                         reference=event.reference)

    await notify(sorted(matches.values(), key=lambda m: m.alert_id), words, settings)


async def report_created(event: ReportCreated, settings: Settings) -> None:
    """A new public report: residents watching problems of its category around its point (not its
    own reporter). Private reports are never announced; one hidden later is withheld at sending."""
    report = await Report.select(Report.latitude, Report.longitude, Report.description, Report.device,
                                 Report.account, Report.category.code.as_alias("category"),
                                 Report.category.name.as_alias("category_name"), *columns()).where(
        Report.id == event.report_id).first()
    if report is None or report["latitude"] is None or not is_public(report):
        return
    matches = [m for m in await alerts_at(report["latitude"], report["longitude"], "problems")
               if (not m.categories or report["category"] in m.categories)
               and m.device_id != report["device"]
               and (m.account_id is None or m.account_id != report["account"])]

    def words(match: Match) -> AlertNews:
        return AlertNews(title=f"{report['category_name']} reported near {_place(match)}",
                         body=_cut(report["description"] or report["category_name"]),
                         url=f"/r/{event.reference}", tag=f"nearby-{event.reference}", reference=event.reference)

    await notify(matches, words, settings, report_id=event.report_id)


async def forget_watcher(event: AccountErased, settings: Settings) -> None:
    """In the erasing transaction: the account's alerts, and its phones' own, go with what they queued."""
    rows = await Alert.select(Alert.id).where((Alert.account == event.account_id)
                                              | Alert.device.is_in(list(event.device_ids) or [-1]))
    ids = [r["id"] for r in rows]
    if ids:
        await withdraw_alerts(ids, "the account was erased")
        await Alert.delete().where(Alert.id.is_in(ids))
    log.info("event=alerts_forgotten account=%d alerts=%d", event.account_id, len(ids))
