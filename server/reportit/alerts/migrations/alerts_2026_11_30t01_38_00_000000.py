from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T01:38:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Alerts: a spatial index over alert areas (SQLite R*Tree kept by triggers; PostgreSQL GiST over the box)"

# Raw SQL runs before a migration's own table changes, so this needs the tables of the one before.
SQLITE = [
    "CREATE VIRTUAL TABLE alert_rtree USING rtree(id, min_lat, max_lat, min_lng, max_lng)",
    """CREATE TRIGGER alert_rtree_insert AFTER INSERT ON alert WHEN new.min_lat IS NOT NULL BEGIN
         INSERT INTO alert_rtree VALUES (new.id, new.min_lat, new.max_lat, new.min_lng, new.max_lng); END""",
    """CREATE TRIGGER alert_rtree_update AFTER UPDATE OF min_lat, max_lat, min_lng, max_lng ON alert BEGIN
         DELETE FROM alert_rtree WHERE id = old.id;
         INSERT INTO alert_rtree SELECT new.id, new.min_lat, new.max_lat, new.min_lng, new.max_lng
           WHERE new.min_lat IS NOT NULL; END""",
    """CREATE TRIGGER alert_rtree_delete AFTER DELETE ON alert BEGIN
         DELETE FROM alert_rtree WHERE id = old.id; END""",
    "INSERT INTO alert_rtree SELECT id, min_lat, max_lat, min_lng, max_lng FROM alert WHERE min_lat IS NOT NULL",
]
POSTGRES = [
    "CREATE INDEX alert_box ON alert USING gist (box(point(min_lng, min_lat), point(max_lng, max_lat))) "
    "WHERE min_lat IS NOT NULL",
]


class RawAlert(Table, tablename="alert", schema=None):
    """Only here to run raw SQL inside the migration's own transaction."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="alerts", description=DESCRIPTION)

    async def spatial_index() -> None:
        statements = SQLITE if RawAlert._meta.db.engine_type == "sqlite" else POSTGRES
        for statement in statements:
            await RawAlert.raw(statement)

    manager.add_raw(spatial_index)
    return manager
