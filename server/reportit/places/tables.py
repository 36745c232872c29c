"""The street gazetteer and the areas (wards and other kinds) a point can fall in.

Geometry is GeoJSON coordinates ([longitude, latitude], WGS84) kept as JSON, with its bounding box
in four columns: the spatial index (an R*Tree on SQLite, a GiST index on PostgreSQL, both made by
the migration) is over that box, and the exact distance or containment is worked out in Python
for the few candidates the index returns.
"""

from __future__ import annotations

from piccolo.columns import JSON, DoublePrecision, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Street(Table, tablename="place_street"):
    """One street, by its Unique Street Reference Number (USRN)."""

    usrn = Varchar(length=20, unique=True, index=True)
    name = Varchar(length=200, index=True)
    locality = Varchar(length=200, default="")
    town = Varchar(length=200, default="")
    # Who maintains it, from the street data ("Transport for London" for a red route).
    authority = Varchar(length=200, default="")
    lines = JSON(default="[]")  # list of lines, each a list of [longitude, latitude]
    min_lat = DoublePrecision()
    min_lng = DoublePrecision()
    max_lat = DoublePrecision()
    max_lng = DoublePrecision()
    updated_at = Timestamptz(default=TimestamptzNow())


class Area(Table, tablename="place_area"):
    """A ward (or district, estate…): an import replaces every area of its kind at once."""

    kind = Varchar(length=40, index=True)
    code = Varchar(length=100, default="")
    name = Varchar(length=200)
    polygons = JSON(default="[]")  # list of polygons, each a list of rings of [longitude, latitude]
    min_lat = DoublePrecision(index=True)
    min_lng = DoublePrecision()
    max_lat = DoublePrecision()
    max_lng = DoublePrecision()
    updated_at = Timestamptz(default=TimestamptzNow())
