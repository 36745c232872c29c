from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from reportit.accounts.tables import (AccountAudit, Device, PasswordReset, RateBucket, ResidentAccount, SavedPlace,
                                      SignInCode, StaffRole)

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[ResidentAccount, SavedPlace, Device, SignInCode, AccountAudit, StaffRole, PasswordReset, RateBucket],
    migration_dependencies=["piccolo.apps.user.piccolo_app"],
    commands=[],
)
