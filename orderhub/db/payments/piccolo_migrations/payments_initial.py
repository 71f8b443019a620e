"""payments: the initial schema.

Creates payment_refunds. Written like the other areas' initial migrations (one line per column in
the table's order, parameters equal to the column class's defaults left out). Runs after merchants
and orders (migration_dependencies in piccolo_app.py), which create the tables it references."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table


# the tables the foreign keys point at, as of this migration (only their primary key matters)
class Merchant(Table, tablename="merchants"):
    id = Serial(primary_key=True)


class Order(Table, tablename="orders"):
    id = Serial(primary_key=True)


ID = "2026-12-05T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

#: (class name, table name): [(column, column class, parameters)], in the table class's column order
TABLES = {
    ("PaymentRefund", "payment_refunds"): [
        ("merchant", ForeignKey, {"references": Merchant, "index": True}),
        ("order", ForeignKey, {"references": Order, "index": True}),
        ("amount_minor", BigInt, {}),
        ("reason", Varchar, {"length": 200}),
        ("source", Varchar, {"length": 32}),
        ("status_after", Varchar, {"length": 24}),
        ("created_at", Timestamptz, {}),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="payments", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class=column_class, params=params)
    return manager
