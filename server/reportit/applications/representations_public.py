"""Representations on the public register: only those an officer published, redacted by the
council's policy (never a name, a full address or an email), and counts by sentiment."""

from __future__ import annotations

from datetime import date
from typing import Any

from reportit.applications.deadline import day_words
from reportit.applications.representation_rules import SENTIMENTS, Redaction, grounds_for, known_streets
from reportit.applications.representation_tables import Representation
from reportit.applications.representations import grounds_list

# Only columns that hold nothing personal are ever read for the public.
PUBLIC_COLUMNS = (Representation.id, Representation.sentiment, Representation.grounds, Representation.text,
                  Representation.address, Representation.late, Representation.received_at)


async def counts(application_id: int) -> dict[str, int]:
    """Published representations by sentiment, with their total."""
    rows = await Representation.select(Representation.sentiment).where(
        (Representation.application == application_id) & (Representation.state == "published"))
    found = {key: 0 for key in SENTIMENTS}
    for row in rows:
        found[row["sentiment"]] = found.get(row["sentiment"], 0) + 1
    return {**found, "total": len(rows)}


async def counts_for(application_ids: list[int]) -> dict[int, dict[str, int]]:
    """The same for a page of applications, in one query."""
    from piccolo.query.functions.aggregate import Count

    found = {i: {**{key: 0 for key in SENTIMENTS}, "total": 0} for i in application_ids}
    if not application_ids:
        return found
    rows = await Representation.select(Representation.application, Representation.sentiment,
                                       Count(alias="n")).where(
        Representation.application.is_in(application_ids) & (Representation.state == "published")).group_by(
        Representation.application, Representation.sentiment)
    for row in rows:
        found[row["application"]][row["sentiment"]] = row["n"]
        found[row["application"]]["total"] += row["n"]
    return found


async def published(application_id: int, regime: str, redaction: Redaction, today: date) -> list[dict[str, Any]]:
    rows = await Representation.select(*PUBLIC_COLUMNS).where(
        (Representation.application == application_id) & (Representation.state == "published")).order_by(
        Representation.received_at)
    names = grounds_for(regime)
    known = await known_streets(row["address"] for row in rows)
    shown = []
    for row in rows:
        row = {**row, "grounds": grounds_list(row)}
        public = redaction.public(row, known)
        shown.append({**public, "grounds_names": [names.get(g, g) for g in public["grounds"]],
                      "late": bool(row["late"]), "received": day_words(row["received_at"].date(), today),
                      "received_at": row["received_at"].date().isoformat()})
    return shown
