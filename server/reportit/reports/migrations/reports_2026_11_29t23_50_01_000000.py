from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T23:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "My Account: existing reports belong to their device's account now"

# Before this, a report was an account's when its device was signed in to the account at the time
# it was asked; that is the best record there is of who sent the reports already stored.
BACKFILL = """
    UPDATE report SET account = (SELECT device.account FROM device WHERE device.id = report.device)
    WHERE report.device IS NOT NULL AND report.account IS NULL
"""


class RawReport(Table, tablename="report", schema=None):
    """Only here to run raw SQL inside the migration's own transaction."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def backfill() -> None:
        await RawReport.raw(BACKFILL)

    manager.add_raw(backfill)
    return manager
