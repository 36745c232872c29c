"""Reading and measuring street lines and area polygons (GeoJSON order: [longitude, latitude]).

Distances are worked out on a flat projection around the point asked about (metres east and north):
within a borough that is accurate to well under a metre, and needs nothing beyond the standard library.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence

Position = tuple[float, float]  # (longitude, latitude)
Line = list[Position]

METRES_PER_DEGREE = 111_320.0

BNG = ("These look like British National Grid eastings and northings (EPSG:27700), not latitude and "
       "longitude. Convert the file to WGS84 (EPSG:4326) longitude and latitude first, e.g. with "
       "ogr2ogr -t_srs EPSG:4326.")
SWAPPED = ("The latitude and longitude look the wrong way round: GeoJSON and WKT give longitude first "
           "(e.g. -0.1357, 51.4975).")


class GeometryError(ValueError):
    """A geometry that cannot be used; the message says why, for whoever prepared the file."""


def position(raw: object) -> Position:
    if not isinstance(raw, (list, tuple)) or len(raw) < 2:
        raise GeometryError("A position must be a pair of numbers: [longitude, latitude].")
    try:
        lng, lat = float(raw[0]), float(raw[1])
    except (TypeError, ValueError):
        raise GeometryError(f"{raw[0]!r}, {raw[1]!r} is not a pair of numbers.") from None
    if not (math.isfinite(lng) and math.isfinite(lat)):
        raise GeometryError("A coordinate is not a finite number.")
    if abs(lng) > 180 or abs(lat) > 90:
        raise GeometryError(BNG)
    if 49 <= lng <= 61 and -9 <= lat <= 3:
        raise GeometryError(SWAPPED)
    return lng, lat


def _line(raw: object) -> Line:
    if not isinstance(raw, list) or not raw:
        raise GeometryError("A line has no positions.")
    return [position(p) for p in raw]


def lines_from_geojson(geometry: object) -> list[Line]:
    """A street's lines from a GeoJSON LineString, MultiLineString or Point."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise GeometryError("The geometry is missing or is not a GeoJSON geometry.")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return [[position(coordinates)]]
    if kind == "LineString":
        return [_line(coordinates)]
    if kind == "MultiLineString" and isinstance(coordinates, list) and coordinates:
        return [_line(line) for line in coordinates]
    if kind in ("LineString", "MultiLineString", "Point"):
        raise GeometryError(f"The {kind} has no coordinates.")
    raise GeometryError(f"A street must be a LineString, MultiLineString or Point, not {kind!r}.")


def polygons_from_geojson(geometry: object) -> list[list[Line]]:
    """An area's polygons (each a list of closed rings) from a GeoJSON Polygon or MultiPolygon."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise GeometryError("The geometry is missing or is not a GeoJSON geometry.")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return [_polygon(coordinates)]
    if kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates:
        return [_polygon(p) for p in coordinates]
    raise GeometryError(f"An area must be a Polygon or MultiPolygon, not {kind!r}.")


def _polygon(raw: object) -> list[Line]:
    if not isinstance(raw, list) or not raw:
        raise GeometryError("A polygon has no rings.")
    rings = [_line(ring) for ring in raw]
    for ring in rings:
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise GeometryError("A polygon's ring must have at least 4 positions and end where it starts.")
    return rings


_WKT = re.compile(r"^\s*(POINT|LINESTRING|MULTILINESTRING)\s*(\(.*\))\s*$", re.IGNORECASE | re.DOTALL)


def lines_from_text(text: str) -> list[Line]:
    """A street's lines from a CSV cell: WKT (POINT, LINESTRING, MULTILINESTRING) or GeoJSON."""
    text = text.strip()
    if text.startswith("{"):
        try:
            return lines_from_geojson(json.loads(text))
        except ValueError as exc:
            if isinstance(exc, GeometryError):
                raise
            raise GeometryError("The geometry is not valid GeoJSON.") from None
    match = _WKT.match(text)
    if not match:
        raise GeometryError("The geometry must be WKT (POINT, LINESTRING or MULTILINESTRING) or GeoJSON.")
    kind, body = match.group(1).upper(), match.group(2)
    groups = re.findall(r"\(([^()]*)\)", body)
    if not groups:
        raise GeometryError(f"The {kind} has no coordinates.")
    lines = []
    for group in groups:
        pairs = [p.split() for p in group.split(",") if p.strip()]
        if not pairs or any(len(p) < 2 for p in pairs):
            raise GeometryError(f"The {kind} has a position that is not two numbers.")
        lines.append([position(p[:2]) for p in pairs])
    if kind != "MULTILINESTRING" and len(lines) > 1:
        raise GeometryError(f"The {kind} is malformed.")
    return lines


def line_from_box(min_lng: str, min_lat: str, max_lng: str, max_lat: str) -> list[Line]:
    """A street known only by its bounding box (OS Open Names' MBR): its diagonal stands in for it."""
    south_west, north_east = position([min_lng, min_lat]), position([max_lng, max_lat])
    if south_west[0] > north_east[0] or south_west[1] > north_east[1]:
        raise GeometryError("The bounding box's minimum is greater than its maximum.")
    return [[south_west, north_east]]


def bounds(lines: Sequence[Sequence[Position]]) -> tuple[float, float, float, float]:
    """(min_lng, min_lat, max_lng, max_lat)."""
    lngs = [p[0] for line in lines for p in line]
    lats = [p[1] for line in lines for p in line]
    return min(lngs), min(lats), max(lngs), max(lats)


def distance_m(lat: float, lng: float, lines: Sequence[Sequence[Sequence[float]]]) -> float:
    """Metres from the point to the nearest part of the lines."""
    kx = METRES_PER_DEGREE * math.cos(math.radians(lat))
    ky = METRES_PER_DEGREE
    best = math.inf
    for line in lines:
        ax, ay = (line[0][0] - lng) * kx, (line[0][1] - lat) * ky
        if len(line) == 1:
            best = min(best, math.hypot(ax, ay))
        for point in line[1:]:
            bx, by = (point[0] - lng) * kx, (point[1] - lat) * ky
            dx, dy = bx - ax, by - ay
            length = dx * dx + dy * dy
            t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
            best = min(best, math.hypot(ax + t * dx, ay + t * dy))
            ax, ay = bx, by
    return best


def contains(polygons: Sequence[Sequence[Sequence[Sequence[float]]]], lat: float, lng: float) -> bool:
    """Whether the point is inside any polygon (even-odd rule, so holes are left out)."""
    for rings in polygons:
        inside = False
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
                    inside = not inside
        if inside:
            return True
    return False


def metres_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    kx = METRES_PER_DEGREE * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lng2 - lng1) * kx, (lat2 - lat1) * METRES_PER_DEGREE)
