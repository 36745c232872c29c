from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from reportit.reports.tables import Category, Photo, PhotoUpload, Report, StatusChange

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Category, Report, Photo, StatusChange, PhotoUpload],
    migration_dependencies=["reportit.accounts.piccolo_app"],
    commands=[],
)
