from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T02:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Applications: an R*Tree over application points on SQLite (kept by triggers), for searches near a point"

# SQLite: the points in an R*Tree (a point is a box of no size), kept in step by triggers, so every
# write to `application` (import, feed, console, tests, the bench's bulk insert) updates it.
# PostgreSQL meets the goal with the (latitude, longitude) index and gets nothing new here.
SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS application_point USING rtree(id, min_lat, max_lat, min_lng, max_lng)",
    """CREATE TRIGGER IF NOT EXISTS application_point_insert AFTER INSERT ON application
         WHEN new.latitude IS NOT NULL AND new.longitude IS NOT NULL BEGIN
         INSERT OR REPLACE INTO application_point VALUES (new.id, new.latitude, new.latitude, new.longitude, new.longitude);
       END""",
    """CREATE TRIGGER IF NOT EXISTS application_point_update AFTER UPDATE OF latitude, longitude ON application BEGIN
         DELETE FROM application_point WHERE id = old.id;
         INSERT INTO application_point SELECT new.id, new.latitude, new.latitude, new.longitude, new.longitude
           WHERE new.latitude IS NOT NULL AND new.longitude IS NOT NULL;
       END""",
    """CREATE TRIGGER IF NOT EXISTS application_point_delete AFTER DELETE ON application BEGIN
         DELETE FROM application_point WHERE id = old.id;
       END""",
    "INSERT OR REPLACE INTO application_point SELECT id, latitude, latitude, longitude, longitude FROM application "
    "WHERE latitude IS NOT NULL AND longitude IS NOT NULL",
]


class RawApplication(Table, tablename="application", schema=None):
    """Only here to run raw SQL inside the migration's own transaction."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="applications", description=DESCRIPTION)

    async def spatial_index() -> None:
        if RawApplication._meta.db.engine_type == "sqlite":
            for statement in SQLITE:
                await RawApplication.raw(statement)

    manager.add_raw(spatial_index)
    return manager
