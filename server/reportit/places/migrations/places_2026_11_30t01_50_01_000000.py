from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

ID = "2026-11-30T01:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Places: a spatial index over street boxes (a migration of its own: Piccolo runs raw SQL before creating tables)"

# The spatial index over each street's bounding box. SQLite: an R*Tree kept in step by triggers, so
# every write to place_street (import, tests, a console one day) updates it. PostgreSQL: a GiST
# index over the box expression the nearest-street query uses.
SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS place_street_box USING rtree(id, min_lng, max_lng, min_lat, max_lat)",
    """CREATE TRIGGER IF NOT EXISTS place_street_box_insert AFTER INSERT ON place_street BEGIN
         INSERT OR REPLACE INTO place_street_box VALUES (new.id, new.min_lng, new.max_lng, new.min_lat, new.max_lat);
       END""",
    """CREATE TRIGGER IF NOT EXISTS place_street_box_update AFTER UPDATE ON place_street BEGIN
         INSERT OR REPLACE INTO place_street_box VALUES (new.id, new.min_lng, new.max_lng, new.min_lat, new.max_lat);
       END""",
    """CREATE TRIGGER IF NOT EXISTS place_street_box_delete AFTER DELETE ON place_street BEGIN
         DELETE FROM place_street_box WHERE id = old.id;
       END""",
]
POSTGRES_INDEX = [
    "CREATE INDEX IF NOT EXISTS place_street_box ON place_street "
    "USING gist (box(point(min_lng, min_lat), point(max_lng, max_lat)))",
]


class RawStreet(Table, tablename="place_street", schema=None):
    """Only here to run raw SQL inside the migration's own transaction."""



async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="places", description=DESCRIPTION)

    async def spatial_index() -> None:
        statements = SQLITE_INDEX if isinstance(RawStreet._meta.db, SQLiteEngine) else POSTGRES_INDEX
        for statement in statements:
            await RawStreet.raw(statement)

    manager.add_raw(spatial_index)
    return manager
