from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from reportit.alerts.tables import Alert, ApplicationNotice

APP_CONFIG = AppConfig(
    app_name="alerts",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Alert, ApplicationNotice],
    migration_dependencies=["reportit.accounts.piccolo_app", "reportit.push.piccolo_app"],
    commands=[],
)
