"""orders: orders.paid_in_minor, money paid in after the order (an exchange's dearer difference), which
raises what can be refunded (payments.rules.refund_left). Only adds a column with a default, so it runs
the same on SQLite and PostgreSQL (no ALTER of an existing column)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt

ID = "2026-12-06T05:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "orders.paid_in_minor"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)
    manager.add_column(table_class_name="Order", tablename="orders", column_name="paid_in_minor",
                       db_column_name="paid_in_minor", column_class=BigInt, params={"default": 0})
    return manager
