"""push: the initial schema (push_keys, push_subscriptions), in the trimmed form of the other apps'
initial migrations. Runs after orders (migration_dependencies in push_app.py)."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import Column
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


# the tables the foreign keys point at, as of this migration (only their primary keys matter)
class Merchant(Table, tablename="merchants"):
    id = Serial(primary_key=True)


class Order(Table, tablename="orders"):
    id = Serial(primary_key=True)


ID = "2026-12-05T23:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

TABLES: dict[tuple[str, str], list[tuple[str, type[Column], dict[str, Any]]]] = {
    ("PushKey", "push_keys"): [
        ("name", Varchar, {"length": 20, "unique": True}),
        ("private_key", Text, {}),
        ("public_key", Varchar, {"length": 100}),
        ("created_at", Timestamptz, {}),
    ],
    ("PushSubscription", "push_subscriptions"): [
        ("merchant", ForeignKey, {"references": Merchant, "index": True}),
        ("order", ForeignKey, {"references": Order, "index": True}),
        ("key", Varchar, {"length": 100, "unique": True}),
        ("endpoint", Text, {}),
        ("p256dh", Varchar, {"length": 100}),
        ("auth", Varchar, {"length": 40}),
        ("locale", Varchar, {"length": 8, "default": "en"}),
        ("source", Varchar, {"length": 20, "default": "hub"}),
        ("created_at", Timestamptz, {}),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="push", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class=column_class, params=params)
    return manager
