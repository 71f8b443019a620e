"""exchanges: return_exchanges.difference_refunded_minor, the paid difference given back when the return
was withdrawn (cancelled, rejected or expired). Only adds a column with a default, so it runs the same on
SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt

ID = "2026-12-06T05:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "exchange difference refunded on withdrawal"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="exchanges", description=DESCRIPTION)
    manager.add_column(table_class_name="ReturnExchange", tablename="return_exchanges",
                       column_name="difference_refunded_minor", db_column_name="difference_refunded_minor",
                       column_class=BigInt, params={"default": 0})
    return manager
