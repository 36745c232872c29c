"""Alerts' subscriptions to other domains' events (wired in `reportit.wiring`).

Each runs in the publisher's transaction. Applications come in imports of hundreds, so their events
are gathered and handled together at the end of that transaction (`database.before_commit`): the
applications are remembered (for "about N a week"), matched against saved alerts through the
spatial index in a few queries, and their outbox rows written in one statement. Nothing waits on
sending; the senders are woken once the transaction commits.
"""

from __future__ import annotations

import functools
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from reportit import database
from reportit.alerts import wording
from reportit.alerts.matching import Match, alerts_at, alerts_at_points, alerts_following, alerts_in_wards
from reportit.alerts.notify import addressed, notify
from reportit.alerts.tables import Alert, ApplicationNotice
from reportit.events import AccountErased, ApplicationChanged, ApplicationReceived, ReportCreated
from reportit.fast_sql import insert_rows
from reportit.push.alert_outbox import forget_alerts
from reportit.push.message import AlertNews
from reportit.reports.tables import Report
from reportit.reports.visibility import columns, is_public
from reportit.settings import Settings

log = logging.getLogger(__name__)

REGIMES = ("planning", "licensing")
NOTICE_DAYS = 91
NOTICE_COLUMNS = ("reference", "regime", "kind", "latitude", "longitude", "heard_at")


@dataclass
class _Gathered:
    """The application events of one write transaction, handled together before it commits."""

    transaction: object
    settings: Settings
    received: list[ApplicationReceived] = field(default_factory=list)
    changed: list[ApplicationChanged] = field(default_factory=list)


_gathered: ContextVar[_Gathered | None] = ContextVar("alerts_gathered", default=None)


def _gather(settings: Settings) -> _Gathered:
    transaction = Alert._meta.db.current_transaction.get()
    gathered = _gathered.get()
    if gathered is None or gathered.transaction is not transaction:
        gathered = _Gathered(transaction, settings)
        _gathered.set(gathered)
        database.before_commit(lambda: _handle(gathered))
    return gathered


async def application_received(event: ApplicationReceived, settings: Settings) -> None:
    """A new application: residents whose alert area holds its point and who chose its regime."""
    _gather(settings).received.append(event)


async def application_changed(event: ApplicationChanged, settings: Settings) -> None:
    """A changed application: residents who follow it, or watch changes in an area that holds it."""
    _gather(settings).changed.append(event)


async def _handle(gathered: _Gathered) -> None:
    now = datetime.now(timezone.utc)
    # The estimate looks back 90 days: older notices are of no use, and the table stays small.
    await ApplicationNotice.delete().where(ApplicationNotice.heard_at < now - timedelta(days=NOTICE_DAYS))
    await insert_rows(ApplicationNotice, NOTICE_COLUMNS, [
        *((e.reference, e.regime, "received", e.latitude, e.longitude, now) for e in gathered.received),
        *((e.reference, e.regime, "changed", e.latitude, e.longitude, now) for e in gathered.changed)])
    items = []
    for regime in REGIMES:
        events = [e for e in gathered.received if e.regime == regime and e.latitude is not None
                  and e.longitude is not None]
        found = await alerts_at_points([(e.latitude, e.longitude) for e in events], regime)  # type: ignore[misc]
        in_wards = await alerts_in_wards([e.ward for e in events], regime)
        for event, matches in zip(events, found):
            items += addressed(_together(matches, in_wards.get(event.ward, [])), _received_words(event),
                               gathered.settings)
    if gathered.changed:
        following = await alerts_following(sorted({e.reference for e in gathered.changed}))
        placed = [e for e in gathered.changed if e.latitude is not None and e.longitude is not None]
        near = dict(zip(map(id, placed), await alerts_at_points(
            [(e.latitude, e.longitude) for e in placed], "changes")))  # type: ignore[misc]
        in_wards = await alerts_in_wards([e.ward for e in placed], "changes")
        for event in gathered.changed:
            matches = {m.alert_id: m for m in following[event.reference]}
            for match in near.get(id(event), []) + (in_wards.get(event.ward, []) if id(event) in near else []):
                matches.setdefault(match.alert_id, match)
            items += addressed(sorted(matches.values(), key=lambda m: m.alert_id), _changed_words(event),
                               gathered.settings)
    await notify(items, gathered.settings)


def _together(*found: list[Match]) -> list[Match]:
    """Place and ward alerts for one point, each once, in alert order."""
    return sorted({m.alert_id: m for matches in found for m in matches}.values(), key=lambda m: m.alert_id)


def application_path(reference: str) -> str:
    return f"/a/{quote(reference, safe='')}"


def _received_words(event: ApplicationReceived):
    """The message for each matched alert (only its name differs, so each name is worded once)."""
    path, tag = application_path(event.reference), f"application-{event.reference}"

    @functools.lru_cache(maxsize=None)
    def worded(title: str) -> AlertNews:
        body = wording.received_body(event.address, event.description, event.street, event.ward, title)
        return AlertNews(title=title, body=body, url=path, tag=tag, reference=event.reference)

    return lambda match: worded(wording.received_title(event.regime, match))


def _changed_words(event: ApplicationChanged):
    news = AlertNews(title=wording.changed_title(event.reference, event.summary),
                     body=wording.changed_body(event.address, event.summary, event.street, event.ward),
                     url=application_path(event.reference), tag=f"application-{event.reference}",
                     reference=event.reference)
    return lambda match: news


async def report_created(event: ReportCreated, settings: Settings) -> None:
    """A new public report: residents watching problems of its category (not its own reporter)
    around its point, or in its ward (a report placed by its street's name alone has a ward but no
    point). Private reports are never announced; one hidden later is withheld at sending."""
    report = await Report.select(Report.latitude, Report.longitude, Report.street, Report.ward, Report.device,
                                 Report.account, Report.category.code.as_alias("category"),
                                 Report.category.name.as_alias("category_name"), *columns()).where(
        Report.id == event.report_id).first()
    if report is None or not is_public(report):
        return
    placed = report["latitude"] is not None and report["longitude"] is not None
    near = await alerts_at(report["latitude"], report["longitude"], "problems") if placed else []
    in_ward = (await alerts_in_wards([report["ward"]], "problems")).get(report["ward"], []) if report["ward"] else []
    matches = [m for m in _together(near, in_ward)
               if (not m.categories or report["category"] in m.categories)
               and m.device_id != report["device"]
               and (m.account_id is None or m.account_id != report["account"])]

    def words(match: Match) -> AlertNews:
        title = wording.report_title(report["category_name"], report["street"], match)
        return AlertNews(title=title, body=wording.report_body(event.reference, report["street"], report["ward"], title),
                         url=f"/r/{event.reference}", tag=f"nearby-{event.reference}", reference=event.reference)

    await notify(addressed(matches, words, settings), settings, report_id=event.report_id)


async def forget_watcher(event: AccountErased, settings: Settings) -> None:
    """In the erasing transaction: the account's alerts, and its phones' own, go with what they queued."""
    rows = await Alert.select(Alert.id).where((Alert.account == event.account_id)
                                              | Alert.device.is_in(list(event.device_ids) or [-1]))
    ids = [r["id"] for r in rows]
    if ids:
        await forget_alerts(ids, "the account was erased")
        await Alert.delete().where(Alert.id.is_in(ids))
    log.info("event=alerts_forgotten account=%d alerts=%d", event.account_id, len(ids))
