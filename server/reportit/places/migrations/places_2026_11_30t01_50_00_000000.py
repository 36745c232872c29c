from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, DoublePrecision, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T01:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Places: the street gazetteer and areas (wards)"

def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}
    params.update(extra)
    return params


STREET = [
    ("usrn", Varchar, _params(length=20, default="", unique=True, index=True)),
    ("name", Varchar, _params(length=200, default="", index=True)),
    ("locality", Varchar, _params(length=200, default="")),
    ("town", Varchar, _params(length=200, default="")),
    ("authority", Varchar, _params(length=200, default="")),
    ("lines", JSON, _params(default="[]")),
    ("min_lat", DoublePrecision, _params(default=0.0)),
    ("min_lng", DoublePrecision, _params(default=0.0)),
    ("max_lat", DoublePrecision, _params(default=0.0)),
    ("max_lng", DoublePrecision, _params(default=0.0)),
    ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
]
AREA = [
    ("kind", Varchar, _params(length=40, default="", index=True)),
    ("code", Varchar, _params(length=100, default="")),
    ("name", Varchar, _params(length=200, default="")),
    ("polygons", JSON, _params(default="[]")),
    ("min_lat", DoublePrecision, _params(default=0.0, index=True)),
    ("min_lng", DoublePrecision, _params(default=0.0)),
    ("max_lat", DoublePrecision, _params(default=0.0)),
    ("max_lng", DoublePrecision, _params(default=0.0)),
    ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="places", description=DESCRIPTION)
    for class_name, tablename, columns in (("Street", "place_street", STREET), ("Area", "place_area", AREA)):
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name, tablename=tablename, column_name=name, db_column_name=name,
                column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
            )
    return manager
