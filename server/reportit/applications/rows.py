"""One record of an import file → a `Proposed` application, or the reason it cannot be one.

Columns are those of planning.data.gov.uk's `planning-application` dataset (`reference`,
`address-text`, `point` as WKT, `description`, `planning-application-type`,
`planning-application-status`, `planning-decision`, `decision-date`, `documentation-url`,
`start-date`, `end-date`) plus a few of our own that the licensing CSV uses too (see README):
`application-type`, `status`, `decision`, `uprn`, `latitude`/`longitude`, `consultation-extended-to`,
`hearing-date`. A column the file does not have leaves that field as it was.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from reportit.applications.tables import ApplicationStatus
from reportit.applications.versions import Proposed
from reportit.catalogue import MapSettings


class RowProblem(ValueError):
    """What is wrong with one row, in words for whoever keeps the file."""


COLUMNS: dict[str, tuple[str, ...]] = {
    "application_type": ("planning-application-type", "application-type", "licence-application-type"),
    "address": ("address-text", "address"),
    "uprn": ("uprn",),
    "description": ("description",),
    "status": ("planning-application-status", "application-status", "status"),
    "decision": ("planning-decision", "decision"),
    "decision_date": ("decision-date",),
    "documentation_url": ("documentation-url",),
    "consultation_start": ("start-date", "consultation-start-date"),
    "consultation_end": ("end-date", "consultation-end-date"),
    "consultation_extended_to": ("consultation-extended-to",),
    "hearing_date": ("hearing-date",),
}
DATES = ("consultation_start", "consultation_end", "consultation_extended_to", "hearing_date", "decision_date")
LENGTHS = {"application_type": 100, "address": 1000, "uprn": 20, "description": 10000, "decision": 200,
           "documentation_url": 2000}

STATUS_ALIASES = {
    "received": "received", "registered": "received", "validated": "validated", "valid": "validated",
    "under consultation": "under_consultation", "consultation": "under_consultation", "in consultation": "under_consultation",
    "decided": "decided", "determined": "decided", "withdrawn": "withdrawn", "appealed": "appealed", "appeal": "appealed",
}
STATUS_LIST = ", ".join(s.value.replace("_", " ") for s in ApplicationStatus)

_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.\- ]{0,99}$")
_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_POINT = re.compile(rf"^\s*POINT\s*(?:Z|M|ZM)?\s*\(\s*({_NUMBER})\s+({_NUMBER})(?:\s+{_NUMBER}){{0,2}}\s*\)\s*$", re.I)
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def proposed(values: Mapping[str, Any], regime: str, area: MapSettings) -> Proposed:
    reference = _text(values.get("reference")).strip()
    if not reference:
        raise RowProblem("the reference is missing; every application needs the council's reference")
    if not _REFERENCE.match(reference):
        raise RowProblem(f"the reference ‘{reference[:40]}’ has characters we cannot use in a link "
                         "(letters, digits, / - _ . and spaces only, at most 100)")
    fields: dict[str, Any] = {}
    for name, columns in COLUMNS.items():
        column = next((c for c in columns if c in values), None)
        if column is None:
            continue
        text = _text(values[column]).strip()
        if name in DATES:
            fields[name] = _date(text, column)
        elif name == "status":
            if text:
                fields[name] = _status(text, column)
        else:
            if len(text) > LENGTHS[name]:
                raise RowProblem(f"{column}: longer than {LENGTHS[name]} characters")
            fields[name] = _decision(text) if name == "decision" else text
    fields.update(_position(values, area))
    _check_order(fields)
    if "documentation_url" in fields and fields["documentation_url"] and not fields["documentation_url"].startswith(
            ("https://", "http://")):
        raise RowProblem("documentation-url: must be a web address starting with https://")
    return Proposed(reference=reference, regime=regime, values=fields)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if "\x00" in str(value):
        raise RowProblem("a cell holds a hidden control character (NUL); remove it and import again")
    return str(value)


def _date(text: str, column: str) -> date | None:
    if not text:
        return None
    uk = _UK_DATE.match(text)
    try:
        if uk:
            return date(int(uk[3]), int(uk[2]), int(uk[1]))
        return date.fromisoformat(text[:10])
    except ValueError:
        raise RowProblem(f"{column}: ‘{text[:30]}’ is not a date (write it as 2026-12-11)") from None


def _status(text: str, column: str) -> str:
    key = re.sub(r"[-_\s]+", " ", text.lower()).strip()
    if key not in STATUS_ALIASES:
        raise RowProblem(f"{column}: ‘{text[:40]}’ is not a status we know; use one of: {STATUS_LIST}")
    return STATUS_ALIASES[key]


def _decision(text: str) -> str:
    words = text.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _position(values: Mapping[str, Any], area: MapSettings) -> dict[str, Any]:
    point = _text(values.get("point")).strip()
    if point:
        match = _POINT.match(point)
        if not match:
            raise RowProblem(f"point: ‘{point[:40]}’ is not a WKT point (write POINT (longitude latitude), "
                             "e.g. POINT (-0.1357 51.4975))")
        longitude, latitude = float(match[1]), float(match[2])
    elif _text(values.get("latitude")).strip() or _text(values.get("longitude")).strip():
        try:
            latitude, longitude = float(_text(values.get("latitude"))), float(_text(values.get("longitude")))
        except ValueError:
            raise RowProblem("latitude and longitude: both must be numbers, e.g. 51.4975 and -0.1357") from None
    else:
        return {"latitude": None, "longitude": None} if "point" in values or "latitude" in values else {}
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or not area.contains(latitude, longitude):
        swapped = area.contains(longitude, latitude)
        raise RowProblem(f"point: {latitude:.5f}, {longitude:.5f} is outside the council's area"
                         + (" (WKT gives the longitude first: POINT (longitude latitude))" if swapped else ""))
    return {"latitude": latitude, "longitude": longitude}


def _check_order(fields: Mapping[str, Any]) -> None:
    start, end = fields.get("consultation_start"), fields.get("consultation_end")
    extended, decided = fields.get("consultation_extended_to"), fields.get("decision_date")
    if start and end and end < start:
        raise RowProblem(f"end-date {end.isoformat()} is before start-date {start.isoformat()}: the consultation "
                         "must end after it starts")
    if end and extended and extended < end:
        raise RowProblem(f"consultation-extended-to {extended.isoformat()} is before end-date {end.isoformat()}")
    if start and decided and decided < start:
        raise RowProblem(f"decision-date {decided.isoformat()} is before start-date {start.isoformat()}")
