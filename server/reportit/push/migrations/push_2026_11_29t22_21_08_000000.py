from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T22:21:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "Push: reporters' email addresses, given on the report form, count as confirmed"

# Raw SQL runs before a migration's column changes, so this needs the column from the one before.
# Followers who typed an address before confirmation existed are asked to confirm it the next time
# they follow with it; until then they are not emailed.
CONFIRM_REPORTERS = "UPDATE follow SET email_confirmed = true WHERE reporter = true AND email <> ''"


class RawFollow(Table, tablename="follow", schema=None):
    """Only here to run raw SQL inside the migration's own transaction."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="push", description=DESCRIPTION)

    async def confirm_reporters() -> None:
        await RawFollow.raw(CONFIRM_REPORTERS)

    manager.add_raw(confirm_reporters)

    return manager
