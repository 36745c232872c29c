from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from reportit.places.tables import Area, Street

APP_CONFIG = AppConfig(
    app_name="places",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Street, Area],
    migration_dependencies=["reportit.reports.piccolo_app"],
    commands=[],
)
