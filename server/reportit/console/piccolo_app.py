from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from reportit.console.tables import AuditLog, CaseNote, Redaction

APP_CONFIG = AppConfig(
    app_name="console",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[AuditLog, CaseNote, Redaction],
    migration_dependencies=["reportit.reports.piccolo_app"],
    commands=[],
)
