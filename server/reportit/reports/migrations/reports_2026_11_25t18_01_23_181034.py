from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class BaseUser(Table, tablename="piccolo_user", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-25T18:01:23:181034"
VERSION = "1.38.0"
DESCRIPTION = "Console: assignment, duplicates, and indexes for filtering 100,000 reports"

# Composite indexes Piccolo columns cannot declare. IF NOT EXISTS works on SQLite and PostgreSQL.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS report_status_created_at ON report (status, created_at)",
    # status last: per-status counts of a category/date filter read the index alone.
    "CREATE INDEX IF NOT EXISTS report_category_created_at ON report (category, created_at, status)",
    "CREATE INDEX IF NOT EXISTS report_latitude_longitude ON report (latitude, longitude)",
    "CREATE INDEX IF NOT EXISTS status_change_report_created_at ON status_change (report, created_at)",
)

# PostgreSQL only: trigram indexes make the console's free-text search (ILIKE '%words%') use an
# index. pg_trgm is a trusted extension, so a database owner may create it; without it, searches
# still work, by scanning.
TRIGRAM_INDEXES = (
    "CREATE INDEX IF NOT EXISTS report_description_trgm ON report USING gin (description gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS report_location_text_trgm ON report USING gin (location_text gin_trgm_ops)",
)
CAN_USE_TRIGRAMS = """
    SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
        OR (EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')
            AND has_database_privilege(current_database(), 'CREATE')) AS ok
"""


class RawReport(Table, tablename="report", schema=None):
    """Only here to run raw SQL inside the migration's own transaction."""



async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="reports", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Report",
        tablename="report",
        column_name="assigned_to",
        db_column_name="assigned_to",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": BaseUser,
            "on_delete": OnDelete.set_null,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Report",
        tablename="report",
        column_name="duplicate_of",
        db_column_name="duplicate_of",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": "self",
            "on_delete": OnDelete.set_null,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def add_indexes() -> None:
        for sql in INDEXES:
            await RawReport.raw(sql)
        if RawReport._meta.db.engine_type == "postgres" and (await RawReport.raw(CAN_USE_TRIGRAMS))[0]["ok"]:
            await RawReport.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for sql in TRIGRAM_INDEXES:
                await RawReport.raw(sql)

    async def drop_indexes() -> None:
        for sql in INDEXES + TRIGRAM_INDEXES:
            name = sql.split(" ON ")[0].rsplit(" ", 1)[1]
            await RawReport.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(add_indexes)
    manager.add_raw_backwards(drop_indexes)

    return manager
