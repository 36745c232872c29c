"""Reading a street file: CSV or GeoJSON, in the shape of OS Open Names roads joined to USRNs or of
a council's LLPG/NSG street extract. Every line is checked on its own; a bad one is named by its line
(CSV) or feature number (GeoJSON) with why, and the others are still read."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from reportit.places.geometry import BNG, GeometryError, Line, line_from_box, lines_from_geojson, lines_from_text

# Column names each set may use (lower case; the first one present wins).
NAME = ("street_descriptor", "name1", "street_name", "name")
LOCALITY = ("locality", "locality_name", "populated_place")
TOWN = ("town", "town_name", "district_borough", "county_unitary")
AUTHORITY = ("maintaining_authority", "highway_authority", "authority")
GEOMETRY = ("geometry", "wkt", "geometry_wkt", "geom")
BOX = ("mbr_xmin", "mbr_ymin", "mbr_xmax", "mbr_ymax")
NAMED_ROAD = "named road"
USRN = re.compile(r"^\d{1,12}$")


@dataclass(frozen=True)
class StreetRecord:
    line: int
    usrn: str
    name: str
    locality: str
    town: str
    authority: str
    lines: list[Line]


@dataclass
class StreetFile:
    records: list[StreetRecord]
    problems: list[tuple[int, str]]  # (line or feature number, what is wrong)
    skipped: int = 0  # OS Open Names entries that are not named roads (not streets: left out quietly)
    unit: str = "line"


class UnreadableFile(ValueError):
    """The file as a whole cannot be read."""


def read_street_file(path: Path) -> StreetFile:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UnreadableFile(f"There is no file {path}.") from None
    except UnicodeDecodeError:
        raise UnreadableFile(f"{path} is not UTF-8 text: save it as UTF-8 CSV or GeoJSON.") from None
    if path.suffix.lower() in (".geojson", ".json") or text.lstrip().startswith("{"):
        result = _read(_geojson_rows(text), unit="feature")
    else:
        result = _read(_csv_rows(text), unit="line")
    return result


def _csv_rows(text: str):
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "usrn" not in {f.strip().lower() for f in reader.fieldnames}:
        raise UnreadableFile("The CSV has no usrn column. The first line must name the columns: see the README "
                             "(\"Streets and wards\") for the two column sets understood.")
    for row in reader:
        clean = {(k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()}
        yield reader.line_num, clean, None


def _geojson_rows(text: str):
    try:
        document = json.loads(text)
    except ValueError:
        raise UnreadableFile("The file is not valid JSON, so not GeoJSON.") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(document.get("features"), list):
        raise UnreadableFile("The GeoJSON must be a FeatureCollection with a list of features.")
    if "27700" in json.dumps(document.get("crs") or ""):
        raise UnreadableFile(BNG)
    for number, feature in enumerate(document["features"], start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        clean = {str(k).strip().lower(): ("" if v is None else str(v).strip()) for k, v in (properties or {}).items()}
        yield number, clean, (feature.get("geometry") if isinstance(feature, dict) else None)


def _first(row: dict[str, str], names: tuple[str, ...]) -> str:
    return next((row[n] for n in names if row.get(n)), "")


def _read(rows, unit: str) -> StreetFile:
    result = StreetFile(records=[], problems=[], unit=unit)
    seen: dict[str, int] = {}
    for number, row, geometry in rows:
        if row.get("local_type") and row["local_type"].lower() != NAMED_ROAD:
            result.skipped += 1
            continue
        try:
            record = _record(number, row, geometry)
        except GeometryError as exc:
            result.problems.append((number, str(exc)))
            continue
        if record.usrn in seen:
            result.problems.append((number, f"USRN {record.usrn} appears again (first on {unit} {seen[record.usrn]}): "
                                            "this one is left out."))
            continue
        seen[record.usrn] = number
        result.records.append(record)
    return result


def _record(number: int, row: dict[str, str], geometry: object) -> StreetRecord:
    usrn = row.get("usrn", "")
    if not usrn:
        raise GeometryError("The USRN is missing.")
    if not USRN.match(usrn):
        raise GeometryError(f"The USRN {usrn!r} is not a number.")
    name = _first(row, NAME)
    if not name:
        raise GeometryError(f"The street with USRN {usrn} has no name.")
    if len(name) > 200:
        raise GeometryError(f"The street name is {len(name)} characters; 200 at most.")
    return StreetRecord(
        line=number, usrn=usrn.lstrip("0") or "0", name=name, locality=_first(row, LOCALITY)[:200],
        town=_first(row, TOWN)[:200], authority=_first(row, AUTHORITY)[:200], lines=_lines(row, geometry),
    )


def _lines(row: dict[str, str], geometry: object) -> list[Line]:
    if geometry is not None:
        return lines_from_geojson(geometry)
    text = _first(row, GEOMETRY)
    if text:
        return lines_from_text(text)
    if all(row.get(c) for c in BOX):
        return line_from_box(*(row[c] for c in BOX))
    if row.get("longitude") and row.get("latitude"):
        return lines_from_geojson({"type": "Point", "coordinates": [row["longitude"], row["latitude"]]})
    if row.get("geometry_x") and row.get("geometry_y"):
        raise GeometryError(BNG)  # OS Open Names' own GEOMETRY_X/Y are eastings and northings
    raise GeometryError("The street has no geometry: give geometry (WKT or GeoJSON), mbr_xmin…mbr_ymax, "
                        "or longitude and latitude.")
