from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from reportit.open311.tables import ApiKey, MediaLink, ReceivedUpdate

APP_CONFIG = AppConfig(
    app_name="open311",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[ApiKey, MediaLink, ReceivedUpdate],
    migration_dependencies=["reportit.reports.piccolo_app"],
    commands=[],
)
