"""return_reasons: each returned item's own reason, comment, fee share and photos.

Creates return_item_reasons. Written like the other areas' initial migrations (one line per column in
the table's order, parameters equal to the column class's defaults left out). Runs after returns
(migration_dependencies in reasons_app.py), which creates the tables it references. Returns made
before it have no rows: their single reason stands for every item."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import Column
from piccolo.columns.column_types import JSON, BigInt, Boolean, ForeignKey, Serial, Text, Varchar
from piccolo.table import Table


# the tables the foreign keys point at, as of this migration (only their primary key matters)
class ReturnRequest(Table, tablename="return_requests"):
    id = Serial(primary_key=True)


class ReturnItem(Table, tablename="return_items"):
    id = Serial(primary_key=True)


ID = "2026-12-06T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

#: (class name, table name): [(column, column class, parameters)], in the table class's column order
TABLES: dict[tuple[str, str], list[tuple[str, type[Column], dict[str, Any]]]] = {
    ("ReturnItemReason", "return_item_reasons"): [
        ("request", ForeignKey, {"references": ReturnRequest, "index": True}),
        ("item", ForeignKey, {"references": ReturnItem, "unique": True}),
        ("line_id", Varchar, {"length": 100}),
        ("reason", Varchar, {"length": 32}),
        ("comment", Text, {}),
        ("fee_minor", BigInt, {}),
        ("fee_waived", Boolean, {}),
        ("photos", JSON, {"default": "[]"}),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="return_reasons", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class=column_class, params=params)
    return manager
