from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-11-29T23:24:24:567686"
VERSION = "1.38.0"
DESCRIPTION = "Allowed values as choices= Enums on the columns (recorded for Piccolo; no change to the database)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="reports", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Report",
        tablename="report",
        column_name="location_source",
        db_column_name="location_source",
        params={
            "choices": Enum(
                "LocationSource",
                {
                    "not_given": "",
                    "device": "device",
                    "map": "map",
                    "photo": "photo",
                    "text": "text",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Report",
        tablename="report",
        column_name="source",
        db_column_name="source",
        params={
            "choices": Enum(
                "ReportSource",
                {
                    "app": "app",
                    "open311": "open311",
                    "console": "console",
                    "demo": "demo",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
