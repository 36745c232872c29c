"""A place in words: the street and ward a report is in, named once at intake and said the same
way on every page, export, feed and notification ("Regent Street, West End ward")."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from reportit.places.areas import area_at
from reportit.places.gazetteer import nearest_street, street_in_words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    usrn: str = ""
    street: str = ""
    ward: str = ""
    authority: str = ""  # who maintains the street
    metres: float | None = None  # from the point to the street

    @property
    def words(self) -> str:
        return place_words(self.street, self.ward)


def place_words(street: str, ward: str) -> str:
    """"Regent Street, West End ward"; either part alone; "" when neither is known."""
    ward_words = "" if not ward else (ward if ward.lower().endswith(" ward") else f"{ward} ward")
    return ", ".join(part for part in (street, ward_words) if part)


def coordinates(latitude: float | None, longitude: float | None) -> str:
    return "" if latitude is None or longitude is None else f"{latitude:.5f}, {longitude:.5f}"


def report_place(report: Mapping) -> str:
    """How a report's place is shown wherever it appears: the street and ward, else the resident's
    own words, else the coordinates (the coordinates are a secondary detail shown beside it)."""
    words = place_words(report.get("street") or "", report.get("ward") or "")
    return words or (report.get("location_text") or "") or coordinates(report.get("latitude"), report.get("longitude"))


async def describe(latitude: float | None, longitude: float | None, text: str = "") -> Place:
    """The street and ward of a point (or of the street a description names, when there is no point)."""
    if latitude is not None and longitude is not None:
        street = await nearest_street(latitude, longitude)
        ward = await area_at(latitude, longitude)
        if street is None:
            return Place(ward=ward)
        return Place(street.usrn, street.name, ward, street.authority, round(street.metres, 1))
    if text:
        row = await street_in_words(text)
        if row is not None:
            lines = row["lines"] if isinstance(row["lines"], list) else json.loads(row["lines"])
            lng, lat = lines[0][len(lines[0]) // 2]
            return Place(row["usrn"], row["name"], await area_at(lat, lng), row["authority"])
    return Place()


def report_place_words(row: Mapping) -> str:
    """The street and ward of a report row (push and email text): "" when neither is known."""
    return place_words(row.get("street") or "", row.get("ward") or "")


def address_line(row: Mapping) -> str:
    """One line for feeds (Open311 `address`): the street and ward, then the resident's own words."""
    words = report_place_words(row)
    text = (row.get("location_text") or "").strip()
    if words and text and text.lower() != (row.get("street") or "").lower():
        return f"{words} ({text})"
    return words or text
