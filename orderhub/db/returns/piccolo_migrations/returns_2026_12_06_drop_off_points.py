"""returns: the merchant's partner drop-off points (a new table only)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


# the table the foreign key points at, as of this migration (only its primary key matters)
class Merchant(Table, tablename="merchants"):
    id = Serial(primary_key=True)


ID = "2026-12-06T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partner drop-off points"

COLUMNS = [
    ("merchant", ForeignKey, {"references": Merchant, "index": True}),
    ("kind", Varchar, {"length": 24}),
    ("name", Varchar, {"length": 200}),
    ("address", JSON, {"default": "{}"}),
    ("timezone", Varchar, {"length": 64}),
    ("hours", JSON, {"default": "[]"}),
    ("note", Text, {}),
    ("texts", JSON, {"default": "{}"}),
    ("created_at", Timestamptz, {}),
    ("updated_at", Timestamptz, {}),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="returns", description=DESCRIPTION)
    manager.add_table(class_name="DropOffPoint", tablename="return_drop_off_points")
    for name, column_class, params in COLUMNS:
        manager.add_column(table_class_name="DropOffPoint", tablename="return_drop_off_points", column_name=name,
                           db_column_name=name, column_class=column_class, params=params)
    return manager
