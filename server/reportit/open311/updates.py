"""FixMyStreet's servicerequestupdates extension: status changes out, and in from another system.

Out: every status change after a report's arrival, on public reports, with the public message only.
In: one status change per (api key, update_id), however many times the same update is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportit import database
from reportit.open311.create import describe
from reportit.open311.params import parse_w3c
from reportit.open311.render import Open311Error, w3c
from reportit.open311.statuses import extended_status, status_from_extended
from reportit.open311.tables import ApiKey, ReceivedUpdate
from reportit.problems import Problem
from reportit.reports.references import normalise
from reportit.reports.status import Actor, change_status
from reportit.reports.tables import Report, StatusChange
from reportit.reports.visibility import public_where
from reportit.settings import Settings

MAX_UPDATES = 1000
MAX_UPDATE_ID = 200


async def public_updates(settings: Settings, start: datetime, end: datetime) -> list[dict]:
    rows = await (
        StatusChange.select(
            StatusChange.id, StatusChange.to_status, StatusChange.public_message, StatusChange.created_at,
            StatusChange.report.reference.as_alias("reference"),
        )
        .where(
            (StatusChange.created_at >= start)
            & (StatusChange.created_at <= end)
            & (StatusChange.from_status != "")  # the first row is the report arriving, not an update
            & public_where(StatusChange.report)
        )
        .order_by(StatusChange.created_at)
        .order_by(StatusChange.id)
        .limit(MAX_UPDATES)
    )
    return [
        {
            "update_id": str(row["id"]),
            "service_request_id": row["reference"],
            "status": extended_status(settings, row["to_status"]),
            "external_status_code": row["to_status"],
            "description": row["public_message"],
            "updated_datetime": w3c(row["created_at"]),
            "media_url": None,
        }
        for row in rows
    ]


@dataclass(frozen=True)
class ReceivedUpdateResult:
    update_id: str  # ours: the status change it became


async def receive_update(fields: dict[str, str], *, settings: Settings, key: ApiKey) -> ReceivedUpdateResult:
    their_id = fields.get("update_id", "").strip()
    sent_status = fields.get("status", "").strip()
    reference = normalise(fields.get("service_request_id", ""))
    missing = [name for name, value in (("service_request_id", fields.get("service_request_id", "").strip()),
                                        ("update_id", their_id), ("status", sent_status)) if not value]
    if missing:
        raise Open311Error(400, *(f"{name} is required." for name in missing))
    if len(their_id) > MAX_UPDATE_ID:
        raise Open311Error(400, f"update_id must be {MAX_UPDATE_ID} characters or fewer.")
    parse_w3c(fields.get("updated_datetime"), "updated_datetime")  # checked, but the change is recorded as now
    report = None
    if reference:
        report = await Report.select(Report.id, Report.status).where(Report.reference == reference).first()
    if report is None:
        raise Open311Error(404, f"There is no service request {fields.get('service_request_id', '').strip()!r}.")

    update_key = f"{key.id}:{their_id}"
    earlier = await _earlier(update_key)
    if earlier is not None:
        return earlier
    to_status = status_from_extended(settings, sent_status, report["status"])
    claim = ReceivedUpdate(update_key=update_key, report=report["id"])
    try:
        # Claimed before the change, so two deliveries of one update at once make one change.
        await claim.save()
    except database.UNIQUE_VIOLATIONS:
        return await _earlier(update_key) or ReceivedUpdateResult(update_id="")
    try:
        change = await change_status(
            reference, to_status, settings=settings, actor=Actor(f"open311:{key.name}"),
            public_message=fields.get("description", ""),
        )
    except BaseException as exc:
        await ReceivedUpdate.delete().where(ReceivedUpdate.id == claim.id)
        if isinstance(exc, Problem):
            raise describe(exc) from None
        raise
    await ReceivedUpdate.update({ReceivedUpdate.status_change: change.id}).where(ReceivedUpdate.id == claim.id)
    return ReceivedUpdateResult(update_id=str(change.id))


async def _earlier(update_key: str) -> ReceivedUpdateResult | None:
    row = await ReceivedUpdate.select(ReceivedUpdate.status_change).where(ReceivedUpdate.update_key == update_key).first()
    if row is None:
        return None
    return ReceivedUpdateResult(update_id=str(row["status_change"] or ""))
