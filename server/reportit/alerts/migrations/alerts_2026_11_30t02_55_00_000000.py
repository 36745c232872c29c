from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T02:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Alerts: an alert for a ward, by the ward's name (area ids change when wards are imported again)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="alerts", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Alert", tablename="alert", column_name="ward", db_column_name="ward",
        column_class_name="Varchar", column_class=Varchar,
        params={"length": 200, "default": "", "null": False, "primary_key": False, "unique": False, "index": True,
                "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
        schema=None,
    )
    return manager
