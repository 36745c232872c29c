from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-30T01:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Applications: the position index for radius and bounding-box queries; one number per version"


class RawTable(Table, tablename="application"):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="applications", description=DESCRIPTION)

    async def indexes():
        # A range on latitude, then longitude read from the same index entries (SQLite and
        # PostgreSQL alike), so GET /api/applications?near= never scans the table.
        await RawTable.raw("CREATE INDEX application_position ON application (latitude, longitude)")
        await RawTable.raw("CREATE UNIQUE INDEX application_version_number ON application_version (application, number)")

    async def drop():
        await RawTable.raw("DROP INDEX application_position")
        await RawTable.raw("DROP INDEX application_version_number")

    manager.add_raw(indexes)
    manager.add_raw_backwards(drop)
    return manager
