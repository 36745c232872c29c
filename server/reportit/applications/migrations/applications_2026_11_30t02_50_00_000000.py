from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T02:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Applications: the street (USRN and name) and ward of an application's point, named when recorded"


def _params(length: int, index: bool) -> dict:
    return {"length": length, "default": "", "null": False, "primary_key": False, "unique": False, "index": index,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="applications", description=DESCRIPTION)
    for name, length, index in (("usrn", 20, False), ("street", 200, False), ("ward", 200, True)):
        manager.add_column(
            table_class_name="Application", tablename="application", column_name=name, db_column_name=name,
            column_class_name="Varchar", column_class=Varchar, params=_params(length, index), schema=None,
        )
    return manager
