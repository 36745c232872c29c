"""Areas: wards (or any kind: district, estate), imported from GeoJSON a kind at a time, and the
area a point falls in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from reportit import database
from reportit.places.geometry import BNG, GeometryError, bounds, contains, polygons_from_geojson
from reportit.places.street_file import UnreadableFile
from reportit.places.tables import Area

KIND = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
NAME_KEYS = ("name", "ward_name", "area_name")
CODE_KEYS = ("code", "gss_code", "ward_code", "id")


@dataclass(frozen=True)
class AreaRecord:
    code: str
    name: str
    polygons: list


def read_area_file(path: Path) -> tuple[list[AreaRecord], list[tuple[int, str]]]:
    """Every feature, or the problems found (by feature number): an area file is all or nothing."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UnreadableFile(f"There is no file {path}.") from None
    except (ValueError, UnicodeDecodeError):
        raise UnreadableFile("The file is not valid GeoJSON (UTF-8 JSON).") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(document.get("features"), list):
        raise UnreadableFile("The GeoJSON must be a FeatureCollection with a list of features.")
    if "27700" in json.dumps(document.get("crs") or ""):
        raise UnreadableFile(BNG)
    if not document["features"]:
        raise UnreadableFile("The file has no features, so there are no areas to import.")
    records: list[AreaRecord] = []
    problems: list[tuple[int, str]] = []
    names: dict[str, int] = {}
    for number, feature in enumerate(document["features"], start=1):
        try:
            record = _record(feature)
        except GeometryError as exc:
            problems.append((number, str(exc)))
            continue
        if record.name.lower() in names:
            problems.append((number, f"{record.name!r} appears again (first as feature {names[record.name.lower()]})."))
            continue
        names[record.name.lower()] = number
        records.append(record)
    return records, problems


def _record(feature: object) -> AreaRecord:
    if not isinstance(feature, dict):
        raise GeometryError("A feature must be a GeoJSON Feature object.")
    properties = {str(k).lower(): v for k, v in (feature.get("properties") or {}).items()}
    # ONS boundary files name their columns by year: WD24NM (name), WD24CD (code).
    name = next((str(properties[k]).strip() for k in properties if (k in NAME_KEYS or k.endswith("nm")) and properties[k]), "")
    code = next((str(properties[k]).strip() for k in properties if (k in CODE_KEYS or k.endswith("cd")) and properties[k]), "")
    if not name:
        raise GeometryError("The area has no name (a name property).")
    return AreaRecord(code=code[:100], name=name[:200], polygons=polygons_from_geojson(feature.get("geometry")))


def check_kind(kind: str) -> str:
    kind = kind.strip().lower()
    if not KIND.match(kind):
        raise UnreadableFile("The kind must be a single word such as ward, district or estate.")
    return kind


async def replace_areas(kind: str, records: list[AreaRecord]) -> int:
    """Every area of this kind becomes exactly the file's, in one transaction."""
    now = datetime.now(timezone.utc)
    rows = []
    for record in records:
        min_lng, min_lat, max_lng, max_lat = bounds([ring for polygon in record.polygons for ring in polygon])
        rows.append(Area(kind=kind, code=record.code, name=record.name, updated_at=now,
                         polygons=[[[list(p) for p in ring] for ring in polygon] for polygon in record.polygons],
                         min_lat=min_lat, min_lng=min_lng, max_lat=max_lat, max_lng=max_lng))
    async with database.write_transaction(Area._meta.db):
        await Area.delete().where(Area.kind == kind)
        if rows:
            await Area.insert(*rows)
    return len(rows)


async def area_at(latitude: float, longitude: float, kind: str = "ward") -> str:
    """The name of the area of this kind the point is in; "" when it is in none."""
    rows = await Area.select(Area.name, Area.polygons).where(
        (Area.kind == kind) & (Area.min_lat <= latitude) & (Area.max_lat >= latitude)
        & (Area.min_lng <= longitude) & (Area.max_lng >= longitude))
    for row in rows:
        polygons = row["polygons"] if isinstance(row["polygons"], list) else json.loads(row["polygons"])
        if contains(polygons, latitude, longitude):
            return row["name"]
    return ""


async def area_names(kind: str = "ward") -> list[str]:
    return [r["name"] for r in await Area.select(Area.name).where(Area.kind == kind).order_by(Area.name)]
