from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-11-29T23:24:23:595128"
VERSION = "1.38.0"
DESCRIPTION = "Allowed values as choices= Enums on the columns (recorded for Piccolo; no change to the database)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="SignInCode",
        tablename="sign_in_code",
        column_name="purpose",
        db_column_name="purpose",
        params={
            "choices": Enum(
                "CodePurpose",
                {"sign_in": "sign_in", "change_email": "change_email"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="StaffRole",
        tablename="staff_role",
        column_name="role",
        db_column_name="role",
        params={
            "choices": Enum(
                "Role",
                {"warden": "warden", "officer": "officer", "admin": "admin"},
            )
        },
        old_params={"choices": None},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
