"""exchanges: exchanges for something else (issue 20 item 5): the table return_exchanges (its own app,
as push beside channels, so the returns app keeps its one initial migration).

Written in the shape of returns_initial.py (one line per column in the table's order); only adds a
table, so it runs the same on SQLite and PostgreSQL."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Column
from piccolo.columns.column_types import JSON, BigInt, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Merchant(Table, tablename="merchants"):
    id = Serial(primary_key=True)


class ReturnRequest(Table, tablename="return_requests"):
    id = Serial(primary_key=True)


ID = "2026-12-06T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "exchanges for something else"

COLUMNS: list[tuple[str, type[Column], dict[str, Any]]] = [
    ("merchant", ForeignKey, {"references": Merchant, "index": True}),
    ("request", ForeignKey, {"references": ReturnRequest, "index": True}),
    ("key", Varchar, {"length": 100, "unique": True}),
    ("currency", Varchar, {"length": 3}),
    ("items", JSON, {"default": "[]"}),
    ("settlement", JSON, {"default": "{}"}),
    ("to_pay_minor", BigInt, {}),
    ("refund_minor", BigInt, {}),
    ("payment_status", Varchar, {"length": 16, "default": "not_needed"}),
    ("payment_url", Varchar, {"length": 2000}),
    ("paid_at", Timestamptz, {"null": True, "default": None}),
    ("refunded_at", Timestamptz, {"null": True, "default": None}),
    ("created_at", Timestamptz, {}),
    ("updated_at", Timestamptz, {}),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="exchanges", description=DESCRIPTION)
    manager.add_table(class_name="ReturnExchange", tablename="return_exchanges")
    for name, column_class, params in COLUMNS:
        manager.add_column(table_class_name="ReturnExchange", tablename="return_exchanges", column_name=name,
                           db_column_name=name, column_class=column_class, params=params)
    return manager
