from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from reportit.push.tables import Follow, Notification, PushSubscription

APP_CONFIG = AppConfig(
    app_name="push",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[PushSubscription, Follow, Notification],
    migration_dependencies=["reportit.reports.piccolo_app"],
    commands=[],
)
