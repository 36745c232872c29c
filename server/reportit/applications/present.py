"""Applications as the API, the app and the page show them: no personal data (there is none in an
application's fields; the staff member who recorded a version is never shown)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping
from urllib.parse import quote

from reportit.applications.deadline import closing_day, day_words, deadline
from reportit.applications.rules import ApplicationRules
from reportit.applications.summary import FIELD_WORDS, status_name
from reportit.applications.tables import FIELDS, Application, ApplicationVersion
from reportit.places.naming import place_words

COLUMNS = ("id", "reference", *FIELDS, "usrn", "street", "ward", "illustrative", "version", "received_at", "updated_at")


def page_path(reference: str) -> str:
    return "/a/" + quote(reference, safe="/")


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def application_json(row: Mapping[str, Any], rules: ApplicationRules, today: date, base_url: str) -> dict[str, Any]:
    regime = row["regime"]
    return {
        "reference": row["reference"],
        "url": base_url.rstrip("/") + page_path(row["reference"]),
        "regime": regime,
        "type": {"code": row["application_type"], "name": rules.type_name(regime, row["application_type"])},
        "address": row["address"],
        "uprn": row["uprn"] or None,
        # The street and ward its point is in ("Regent Street, West End ward"); null when unknown.
        "street": row.get("street") or None,
        "usrn": row.get("usrn") or None,
        "ward": row.get("ward") or None,
        "place": place_words(row.get("street") or "", row.get("ward") or "") or None,
        "location": ({"latitude": row["latitude"], "longitude": row["longitude"]}
                     if row["latitude"] is not None else None),
        "description": row["description"],
        "status": {"code": row["status"], "name": status_name(row["status"])},
        "consultation": {"start": _iso(row["consultation_start"]), "end": _iso(row["consultation_end"]),
                         "extended_to": _iso(row["consultation_extended_to"]),
                         "closes_on": _iso(closing_day(row, rules))},
        "hearing_date": _iso(row["hearing_date"]),
        "decision": row["decision"] or None,
        "decision_date": _iso(row["decision_date"]),
        "documentation_url": row["documentation_url"] or None,
        "deadline": deadline(row, rules, today).as_json(),
        "illustrative": bool(row["illustrative"]),
        "version": row["version"],
        "received_at": _iso(row["received_at"]),
        "updated_at": _iso(row["updated_at"]),
    }


def version_json(row: Mapping[str, Any], today: date) -> dict[str, Any]:
    changes = row["changes"]
    if isinstance(changes, str):
        import json

        changes = json.loads(changes)
    return {
        "number": row["number"],
        "at": _iso(row["created_at"]),
        "summary": row["summary"],
        "changes": changes,
        "changed": sorted({FIELD_WORDS.get(c, c) for c in changes}),
        "source": row["source"],
        "status": {"code": row["status"], "name": status_name(row["status"])},
        "closes_on": _iso(row["consultation_extended_to"] or row["consultation_end"]),
        "closes_on_words": day_words(row["consultation_extended_to"] or row["consultation_end"], today)
        if (row["consultation_extended_to"] or row["consultation_end"]) else None,
    }


async def load(reference: str) -> dict[str, Any] | None:
    return await Application.select(*(getattr(Application, c) for c in COLUMNS)).where(
        Application.reference == reference).first()


async def stored_reference(typed: str) -> str | None:
    """The reference as the council gave it, for one typed in any case ("26/00044/full" is
    26/00044/FULL), or None. Councils' references are mostly capitals, so a reference typed in
    small letters is found by the index too; only a mixed-case one reads the whole table."""
    typed = typed.strip()
    if not typed or len(typed) > Application.reference.length:
        return None
    for guess in dict.fromkeys((typed, typed.upper())):
        if await Application.exists().where(Application.reference == guess):
            return guess
    rows = await Application.raw("SELECT reference FROM application WHERE lower(reference) = lower({}) LIMIT 1", typed)
    return rows[0]["reference"] if rows else None


async def history(application_id: int) -> list[dict[str, Any]]:
    return await ApplicationVersion.select().where(ApplicationVersion.application == application_id).order_by(
        ApplicationVersion.number, ascending=False)


def feature(item: Mapping[str, Any]) -> dict[str, Any]:
    """A GeoJSON Feature of an application's JSON (geometry null when it has no point)."""
    location = item.get("location")
    geometry = {"type": "Point", "coordinates": [location["longitude"], location["latitude"]]} if location else None
    return {"type": "Feature", "id": item["reference"], "geometry": geometry, "properties": item}
