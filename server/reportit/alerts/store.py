"""Saving, changing and listing a resident's alerts. Whose alert it is follows the reports' rule:
the account it was saved under, or (saved by a phone that was not signed in) that phone, until the
phone signs in and the account takes it. So every phone of an account lists the same alerts."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from piccolo.custom_types import Combinable

from reportit import database
from reportit.accounts.residents import account_id_of
from reportit.alerts.geometry import bounding_box
from reportit.alerts.rules import KINDS, AlertSpec
from reportit.alerts.tables import Alert
from reportit.events import DeviceJoinedAccount
from reportit.problems import Problem
from reportit.push.alert_outbox import withdraw_alerts
from reportit.settings import Settings

log = logging.getLogger(__name__)

MAX_ALERTS = 50  # per resident: plenty for home, work, family and the applications they follow
NOT_FOUND = Problem(404, "Alert not found", "That alert is not one of yours, or it was deleted.")


@dataclass(frozen=True)
class Watcher:
    """A resident as the owner of alerts: their account, or a phone on its own."""

    device_id: int
    account_id: int | None

    def where(self) -> Combinable:
        if self.account_id is not None:
            return Alert.account == self.account_id
        return (Alert.device == self.device_id) & Alert.account.is_null()


async def watcher_of(device_id: int) -> Watcher:
    return Watcher(device_id, await account_id_of(device_id))


def _values(spec: AlertSpec) -> dict:
    box = bounding_box(spec.latitude, spec.longitude, spec.radius) if spec.radius and spec.latitude is not None \
        else (None, None, None, None)
    return {
        Alert.label: spec.label, Alert.latitude: spec.latitude, Alert.longitude: spec.longitude,
        Alert.radius: spec.radius, Alert.application: spec.application, Alert.ward: spec.ward,
        Alert.min_lat: box[0], Alert.max_lat: box[1], Alert.min_lng: box[2], Alert.max_lng: box[3],
        **{getattr(Alert, kind): kind in spec.kinds for kind in KINDS},
        Alert.categories: json.dumps(list(spec.categories)), Alert.email: spec.email,
    }


COLUMNS = (Alert.id, Alert.label, Alert.latitude, Alert.longitude, Alert.radius, Alert.ward,
           Alert.application,
           *(getattr(Alert, kind) for kind in KINDS), Alert.categories, Alert.email, Alert.created_at,
           Alert.updated_at)


def as_json(row: dict) -> dict:
    categories = row["categories"]
    return {
        "id": row["id"], "label": row["label"], "latitude": row["latitude"], "longitude": row["longitude"],
        "radius": row["radius"], "ward": row["ward"] or None, "application": row["application"],
        "kinds": [kind for kind in KINDS if row[kind]],
        "categories": json.loads(categories) if isinstance(categories, str) else list(categories or []),
        "email": row["email"],
        "created_at": row["created_at"].isoformat(timespec="seconds"),
        "updated_at": row["updated_at"].isoformat(timespec="seconds"),
    }


async def list_alerts(watcher: Watcher) -> list[dict]:
    rows = await Alert.select(*COLUMNS).where(watcher.where()).order_by(Alert.id)
    return [as_json(row) for row in rows]


async def create(watcher: Watcher, spec: AlertSpec, *, keep_choices: bool = False) -> dict:
    """A new alert, or for an application already followed the same alert: as `spec` says, or with
    `keep_choices` (a follow the service makes on the resident's behalf) only `spec`'s kinds added,
    so the label, email mode ("none", an unsubscribe) and kinds the resident chose stay."""
    async with database.write_transaction(Alert._meta.db):
        if await Alert.count().where(watcher.where()) >= MAX_ALERTS:
            raise Problem(409, "Too many alerts", f"You can keep up to {MAX_ALERTS} alerts. Delete one you no "
                          "longer need first.")
        if spec.application:
            existing = await Alert.select(Alert.id).where(
                watcher.where() & (Alert.application == spec.application)).first()
            if existing is not None:  # following twice is following
                values = {getattr(Alert, kind): True for kind in spec.kinds} if keep_choices else _values(spec)
                await Alert.update({**values, Alert.updated_at: datetime.now(timezone.utc)}).where(
                    Alert.id == existing["id"])
                return await _one(watcher, existing["id"])
        values = {column._meta.name: value for column, value in _values(spec).items()}
        [row] = await Alert.insert(Alert(device=watcher.device_id, account=watcher.account_id, **values)
                                   ).returning(Alert.id)
    log.info("event=alert_saved alert=%d kinds=%s", row["id"], ",".join(spec.kinds))
    return await _one(watcher, row["id"])


async def update(watcher: Watcher, alert_id: int, spec: AlertSpec) -> dict:
    async with database.write_transaction(Alert._meta.db):
        done = await Alert.update({**_values(spec), Alert.updated_at: datetime.now(timezone.utc)}).where(
            watcher.where() & (Alert.id == alert_id)).returning(Alert.id)
        if not done:
            raise NOT_FOUND
    return await _one(watcher, alert_id)


async def delete(watcher: Watcher, alert_id: int) -> None:
    async with database.write_transaction(Alert._meta.db):
        done = await Alert.delete().where(watcher.where() & (Alert.id == alert_id)).returning(Alert.id)
        if not done:
            raise NOT_FOUND
        await withdraw_alerts([alert_id], "the alert was deleted")
    log.info("event=alert_deleted alert=%d", alert_id)


async def _one(watcher: Watcher, alert_id: int) -> dict:
    row = await Alert.select(*COLUMNS).where(watcher.where() & (Alert.id == alert_id)).first()
    if row is None:
        raise NOT_FOUND
    return as_json(row)


async def adopt_alerts(event: DeviceJoinedAccount, settings: Settings) -> None:
    """In the signing-in transaction: this phone's alerts that are nobody's account's become the account's."""
    adopted = await Alert.update({Alert.account: event.account_id}).where(
        (Alert.device == event.device_id) & Alert.account.is_null()).returning(Alert.id)
    log.info("event=alerts_joined_account account=%d alerts=%d", event.account_id, len(adopted))
