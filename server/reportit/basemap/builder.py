"""Build a small PMTiles basemap of vector tiles from GeoJSON streets and areas.

For `make run` and the tests: a newcomer sees streets and wards instead of a grey box. It is not a
real map (no buildings, parks, water), and says so in its attribution and metadata
(`illustrative`); a council supplies a real one (an OpenStreetMap extract of the borough) as
`REPORTIT_BASEMAP`. Tiles are Web Mercator, 4096 units a side, gzipped, with three layers:
`areas` (polygons, `name`), `streets` (lines, `name`) and `area_labels` (a point inside each area).
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from pathlib import Path

import mapbox_vector_tile
import shapely
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import transform

EARTH = 6378137.0
HALF = math.pi * EARTH
BUFFER = 64 / 4096  # of a tile: lines and labels cross tile edges without gaps
NAME_KEYS = ("name", "name1", "street_descriptor", "street", "NAME", "ward_name")
ILLUSTRATIVE = "Illustrative map made from demo streets and wards (not a real map)"


class BadGeoJSON(ValueError):
    """The input cannot be drawn; the message names the file and the feature."""


@dataclass(frozen=True)
class Feature:
    geometry: BaseGeometry  # Web Mercator metres
    name: str


def read_features(path: Path, kinds: tuple[str, ...]) -> list[Feature]:
    """Features of the geometry types `kinds` (LineString or Polygon, single or multi)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BadGeoJSON(f"{path}: not a GeoJSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BadGeoJSON(f"{path}: not a GeoJSON FeatureCollection")
    features = []
    for number, item in enumerate(data.get("features") or [], start=1):
        where = f"{path}: feature {number}"
        try:
            geometry = shape(item["geometry"])
        except Exception:
            raise BadGeoJSON(f"{where}: its geometry cannot be read") from None
        if geometry.geom_type.removeprefix("Multi") not in kinds:
            raise BadGeoJSON(f"{where}: a {geometry.geom_type}, expected {' or '.join(kinds)}")
        west, south, east, north = geometry.bounds
        if not (-180 <= west <= east <= 180 and -85 <= south <= north <= 85):
            raise BadGeoJSON(f"{where}: its coordinates are not longitude and latitude (British National "
                             "Grid metres?); give the file in WGS 84 (EPSG:4326)")
        if not geometry.is_valid:
            raise BadGeoJSON(f"{where}: its geometry is broken ({shapely.is_valid_reason(geometry)})")
        properties = item.get("properties") or {}
        name = next((str(properties[k]) for k in NAME_KEYS if properties.get(k)), "")
        features.append(Feature(transform(_mercator, geometry), name))
    return features


def _mercator(lons, lats, z=None):
    """Longitude and latitude to Web Mercator metres (for shapely.ops.transform)."""
    return ([math.radians(lon) * EARTH for lon in lons],
            [math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH for lat in lats])


def _tile_box(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * HALF / 2**z
    return (-HALF + x * size, HALF - (y + 1) * size, -HALF + (x + 1) * size, HALF - y * size)


def _tile_range(bounds: tuple[float, float, float, float], z: int) -> tuple[range, range]:
    size = 2 * HALF / 2**z
    minx, miny, maxx, maxy = bounds
    return (range(int((minx + HALF) // size), int((maxx + HALF) // size) + 1),
            range(int((HALF - maxy) // size), int((HALF - miny) // size) + 1))


def _layer(name: str, features: list[Feature], clip: BaseGeometry) -> dict | None:
    encoded = []
    for feature in features:
        if not feature.geometry.intersects(clip):
            continue
        part = feature.geometry.intersection(clip)
        if not part.is_empty:
            encoded.append({"geometry": part, "properties": {"name": feature.name} if feature.name else {}})
    return {"name": name, "features": encoded} if encoded else None


def tile(z: int, x: int, y: int, layers: dict[str, list[Feature]]) -> bytes | None:
    """One gzipped MVT tile, or None when nothing falls in it."""
    bounds = _tile_box(z, x, y)
    pad = (bounds[2] - bounds[0]) * BUFFER
    clip = box(bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
    found = [layer for name, features in layers.items() if (layer := _layer(name, features, clip))]
    if not found:
        return None
    data = mapbox_vector_tile.encode(found, default_options={"quantize_bounds": bounds, "extents": 4096})
    return gzip.compress(data, mtime=0)


def build(streets: Path, areas: Path | None, out: Path, min_zoom: int = 11, max_zoom: int = 16) -> int:
    """Write the PMTiles file; returns the number of tiles."""
    layers = {"areas": read_features(areas, ("Polygon",)) if areas else [], "streets": read_features(streets, ("LineString",))}
    layers["area_labels"] = [Feature(f.geometry.representative_point(), f.name) for f in layers["areas"] if f.name]
    everything = shapely.GeometryCollection([f.geometry for features in layers.values() for f in features])
    if everything.is_empty:
        raise BadGeoJSON(f"{streets}: no streets to draw")
    bounds = everything.bounds
    tiles: dict[int, bytes] = {}
    for z in range(min_zoom, max_zoom + 1):
        xs, ys = _tile_range(bounds, z)
        for x in xs:
            for y in ys:
                data = tile(z, x, y, layers)
                if data:
                    tiles[zxy_to_tileid(z, x, y)] = data
    west, south, east, north = _lonlat_bounds(bounds)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".tmp")
    with write(str(partial)) as writer:
        for tile_id in sorted(tiles):
            writer.write_tile(tile_id, tiles[tile_id])
        writer.finalize(_header(west, south, east, north, min_zoom), {
            "name": "Report It illustrative basemap", "attribution": ILLUSTRATIVE, "illustrative": True,
            "vector_layers": [{"id": name, "fields": {"name": "String"}} for name in layers],
        })
    partial.replace(out)  # a reader never sees half a file
    return len(tiles)


def _lonlat_bounds(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = bounds
    lat = lambda y: math.degrees(2 * math.atan(math.exp(y / EARTH)) - math.pi / 2)  # noqa: E731
    return math.degrees(minx / EARTH), lat(miny), math.degrees(maxx / EARTH), lat(maxy)


def _header(west: float, south: float, east: float, north: float, min_zoom: int) -> dict:
    e7 = lambda value: int(round(value * 1e7))  # noqa: E731
    return {
        "version": 3, "tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
        "min_lon_e7": e7(west), "min_lat_e7": e7(south), "max_lon_e7": e7(east), "max_lat_e7": e7(north),
        "center_zoom": min_zoom + 3, "center_lon_e7": e7((west + east) / 2), "center_lat_e7": e7((south + north) / 2),
    }
