"""home_pickup: the initial schema (return_pickups), in the trimmed form of the other apps' initial
migrations. Runs after returns (migration_dependencies in home_pickup_app.py)."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import Column
from piccolo.columns.column_types import JSON, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


# the tables the foreign keys point at, as of this migration (only their primary keys matter)
class Merchant(Table, tablename="merchants"):
    id = Serial(primary_key=True)


class Order(Table, tablename="orders"):
    id = Serial(primary_key=True)


class ReturnRequest(Table, tablename="return_requests"):
    id = Serial(primary_key=True)


ID = "2026-12-06T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

TABLES: dict[tuple[str, str], list[tuple[str, type[Column], dict[str, Any]]]] = {
    ("ReturnPickup", "return_pickups"): [
        ("merchant", ForeignKey, {"references": Merchant, "index": True}),
        ("order", ForeignKey, {"references": Order, "index": True}),
        ("request", ForeignKey, {"references": ReturnRequest, "index": True}),
        ("active_for", Integer, {"null": True, "default": None, "unique": True}),
        ("status", Varchar, {"length": 16, "default": "active"}),
        ("carrier", Varchar, {"length": 32}),
        ("day", Date, {}),
        ("slot", Varchar, {"length": 16}),
        ("starts_at", Timestamptz, {}),
        ("ends_at", Timestamptz, {}),
        ("timezone", Varchar, {"length": 64}),
        ("address_source", Varchar, {"length": 8, "default": "order"}),
        ("address", JSON, {"default": "{}"}),
        ("notes", Text, {}),
        ("created_at", Timestamptz, {}),
        ("updated_at", Timestamptz, {}),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="home_pickup", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class=column_class, params=params)
    return manager
