from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T19:01:48:443632"
VERSION = "1.38.0"
DESCRIPTION = "Console: a full-text index for searching reports on SQLite"

# SQLite only: an external-content FTS5 index over the report's searchable text, so the console's
# free-text search reads the index instead of testing LIKE '%words%' against every row.
# PostgreSQL has trigram indexes for the same job (see the 2026-11-25T18:01:23 migration).
# Triggers keep the index in step with every write, including the raw-SQL bulk loads of tests and
# bench; the update trigger fires only when indexed text changes, not on each status change.
CREATE = (
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS report_fts USING fts5(
        reference, description, location_text,
        content='report', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER IF NOT EXISTS report_fts_after_insert AFTER INSERT ON report BEGIN
        INSERT INTO report_fts (rowid, reference, description, location_text)
        VALUES (new.id, new.reference, new.description, new.location_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS report_fts_after_delete AFTER DELETE ON report BEGIN
        INSERT INTO report_fts (report_fts, rowid, reference, description, location_text)
        VALUES ('delete', old.id, old.reference, old.description, old.location_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS report_fts_after_update
    AFTER UPDATE OF id, reference, description, location_text ON report BEGIN
        INSERT INTO report_fts (report_fts, rowid, reference, description, location_text)
        VALUES ('delete', old.id, old.reference, old.description, old.location_text);
        INSERT INTO report_fts (rowid, reference, description, location_text)
        VALUES (new.id, new.reference, new.description, new.location_text);
    END
    """,
    # Index the reports that are already there.
    "INSERT INTO report_fts (report_fts) VALUES ('rebuild')",
)
DROP = (
    "DROP TRIGGER IF EXISTS report_fts_after_insert",
    "DROP TRIGGER IF EXISTS report_fts_after_delete",
    "DROP TRIGGER IF EXISTS report_fts_after_update",
    "DROP TABLE IF EXISTS report_fts",
)


class RawReport(Table, tablename="report", schema=None):
    """Only here to run raw SQL inside the migration's own transaction."""


def _is_sqlite() -> bool:
    return RawReport._meta.db.engine_type == "sqlite"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def create_index() -> None:
        if _is_sqlite():
            for sql in CREATE:
                await RawReport.raw(sql)

    async def drop_index() -> None:
        if _is_sqlite():
            for sql in DROP:
                await RawReport.raw(sql)

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)

    return manager
