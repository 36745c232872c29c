"""Recording what a source says about an application: a new application, a new version, or nothing.

Every caller (the import, the feed, the console's decision, the demo) goes through `record`, inside
a write transaction: the version and the event residents are alerted by commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from piccolo.engine.postgres import PostgresEngine

from reportit import events
from reportit.applications.deadline import today_in
from reportit.applications.summary import NEWS, summarise
from reportit.applications.tables import FIELDS, Application, ApplicationVersion, VersionSource
from reportit.places.naming import describe
from reportit.problems import Problem
from reportit.settings import Settings

Outcome = Literal["new", "changed", "unchanged"]

DEFAULTS: dict[str, Any] = {"application_type": "", "address": "", "uprn": "", "latitude": None, "longitude": None,
                            "description": "", "status": "received", "consultation_start": None, "consultation_end": None,
                            "consultation_extended_to": None, "hearing_date": None, "decision": "",
                            "decision_date": None, "documentation_url": ""}


@dataclass(frozen=True)
class Proposed:
    """An application as one source gives it. `values` holds only what the source says (a column a
    file does not have leaves the field as it was); `regime` is always known."""

    reference: str
    regime: str
    values: dict[str, Any] = field(default_factory=dict)
    illustrative: bool = False


async def record(proposed: Proposed, settings: Settings, *, source: str, actor: str) -> Outcome:
    """Store `proposed` as the first version of a new application or a new version of a known one
    (only when something differs), publishing ApplicationReceived or ApplicationChanged. Must run in
    `database.write_transaction`."""
    query = Application.select().where(Application.reference == proposed.reference)
    if isinstance(Application._meta.db, PostgresEngine):
        query = query.lock_rows("update")  # two imports of one reference make two versions in turn
    current = await query.first()
    if current is None:
        await _first_version(proposed, settings, source=source, actor=actor)
        return "new"
    if current["regime"] != proposed.regime:
        raise Problem(422, "Wrong regime", f"{proposed.reference} is a {current['regime']} application already, "
                                          f"not a {proposed.regime} one.")
    changes = tuple(name for name, value in proposed.values.items() if name in FIELDS and current[name] != value)
    if changes and source != VersionSource.console.value:
        # A file repeating what it said last time has not changed its mind: what an officer
        # recorded since (a decision in the console) stands until the file says something new.
        said = await _last_said_by_a_file(current["id"])
        if said is not None:
            changes = tuple(name for name in changes if said.get(name) != proposed.values[name])
    if not changes:
        return "unchanged"
    await _next_version(current, proposed, changes, settings, source=source, actor=actor)
    return "changed"


async def _first_version(proposed: Proposed, settings: Settings, *, source: str, actor: str) -> None:
    now = datetime.now(timezone.utc)
    values = {**DEFAULTS, **{k: v for k, v in proposed.values.items() if k in FIELDS}, "regime": proposed.regime}
    place = await place_of(values["latitude"], values["longitude"])
    rows = await Application.insert(Application(reference=proposed.reference, illustrative=proposed.illustrative,
                                                version=1, received_at=now, updated_at=now, **values, **place)
                                    ).returning(Application.id)
    application_id = rows[0]["id"]
    changes = tuple(k for k in FIELDS if values.get(k) not in (None, "") and k != "regime")
    summary = f"New {proposed.regime} application received."
    version_id = await _insert_version(application_id, 1, values, changes, summary, source, actor, now)
    await events.publish(events.ApplicationReceived(
        application_id=application_id, version_id=version_id, reference=proposed.reference, regime=proposed.regime,
        application_type=values["application_type"], address=values["address"], description=values["description"],
        latitude=values["latitude"], longitude=values["longitude"], ward=place["ward"],
        street=place["street"]), settings)


async def place_of(latitude: float | None, longitude: float | None) -> dict[str, str]:
    """The application's usrn, street and ward columns: from its point, as reports are named at
    intake ("" for each when it has no point, is on no known street or outside every ward)."""
    if latitude is None or longitude is None:
        return {"usrn": "", "street": "", "ward": ""}
    place = await describe(latitude, longitude)
    return {"usrn": place.usrn, "street": place.street, "ward": place.ward}


async def _next_version(current: dict[str, Any], proposed: Proposed, changes: tuple[str, ...], settings: Settings, *,
                        source: str, actor: str) -> None:
    now = datetime.now(timezone.utc)
    values = {k: current[k] for k in FIELDS} | {k: proposed.values[k] for k in changes}
    number = current["version"] + 1
    summary = summarise(changes, values, today_in(settings.catalogue.applications))
    moved = "latitude" in changes or "longitude" in changes
    place = await place_of(values["latitude"], values["longitude"]) if moved else \
        {k: current[k] for k in ("usrn", "street", "ward")}
    await Application.update({**{getattr(Application, k): v for k, v in {**values, **place}.items()},
                              Application.version: number, Application.updated_at: now}
                             ).where(Application.id == current["id"])
    version_id = await _insert_version(current["id"], number, values, changes, summary, source, actor, now)
    news = tuple(c for c in changes if c in NEWS)
    if news:
        await events.publish(events.ApplicationChanged(
            application_id=current["id"], version_id=version_id, reference=current["reference"],
            regime=values["regime"], changes=news, summary=summary, address=values["address"],
            latitude=values["latitude"], longitude=values["longitude"], ward=place["ward"],
            street=place["street"]), settings)


async def _last_said_by_a_file(application_id: int) -> dict[str, Any] | None:
    """The values of the newest version an import or a feed wrote (None: only the console or the
    demo ever did)."""
    return await ApplicationVersion.select(*(getattr(ApplicationVersion, k) for k in FIELDS)).where(
        (ApplicationVersion.application == application_id)
        & ApplicationVersion.source.is_in([VersionSource.import_file.value, VersionSource.feed.value])
    ).order_by(ApplicationVersion.number, ascending=False).first()


async def _insert_version(application_id: int, number: int, values: dict[str, Any], changes: tuple[str, ...],
                          summary: str, source: str, actor: str, now: datetime) -> int:
    rows = await ApplicationVersion.insert(ApplicationVersion(
        application=application_id, number=number, changes=list(changes), summary=summary, source=source,
        actor=actor[:320], created_at=now, **values)).returning(ApplicationVersion.id)
    return rows[0]["id"]
