from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-11-29T23:24:21:475016"
VERSION = "1.38.0"
DESCRIPTION = "Allowed values as choices= Enums on the columns (recorded for Piccolo; no change to the database)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="push", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Notification",
        tablename="notification_outbox",
        column_name="channel",
        db_column_name="channel",
        params={"choices": Enum("Channel", {"push": "push", "email": "email"})},
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Notification",
        tablename="notification_outbox",
        column_name="state",
        db_column_name="state",
        params={
            "choices": Enum(
                "NotificationState",
                {
                    "pending": "pending",
                    "sent": "sent",
                    "failed": "failed",
                    "gone": "gone",
                    "skipped": "skipped",
                },
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
