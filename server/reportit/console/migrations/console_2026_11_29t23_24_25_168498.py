from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-11-29T23:24:25:168498"
VERSION = "1.38.0"
DESCRIPTION = "Allowed values as choices= Enums on the columns (recorded for Piccolo; no change to the database)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="console", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Redaction",
        tablename="console_redaction",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "RedactionKind",
                {
                    "text": "text",
                    "photo_hidden": "photo_hidden",
                    "photo_redacted": "photo_redacted",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
