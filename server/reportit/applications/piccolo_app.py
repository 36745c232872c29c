from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from reportit.applications.representation_tables import Representation
from reportit.applications.tables import Application, ApplicationVersion

APP_CONFIG = AppConfig(
    app_name="applications",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Application, ApplicationVersion, Representation],
    migration_dependencies=["reportit.reports.piccolo_app"],
    commands=[],
)
