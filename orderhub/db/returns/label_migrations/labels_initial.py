"""return_labels: prepaid return labels (return_labels) and label-provider accounts
(return_label_accounts), the initial migration of their own app (labels_app.py), written in the style
of returns_initial.py (one line per column, class defaults left out). Runs after returns
(migration_dependencies), whose return_requests it references."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Column
from piccolo.columns.column_types import BigInt, Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Merchant(Table, tablename="merchants"):
    id = Serial(primary_key=True)


class ReturnRequest(Table, tablename="return_requests"):
    id = Serial(primary_key=True)


ID = "2026-12-06T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

TABLES: dict[tuple[str, str], list[tuple[str, type[Column], dict[str, Any]]]] = {
    ("ReturnLabel", "return_labels"): [
        ("merchant", ForeignKey, {"references": Merchant, "index": True}),
        ("request", ForeignKey, {"references": ReturnRequest, "unique": True}),
        ("provider", Varchar, {"length": 16}),
        ("state", Varchar, {"length": 16, "default": "pending", "index": True}),
        ("attempts", Integer, {}),
        ("next_attempt_at", Timestamptz, {}),
        ("last_error", Text, {}),
        ("idempotency_key", Varchar, {"length": 64}),
        ("provider_shipment_id", Varchar, {"length": 100}),
        ("provider_rate_id", Varchar, {"length": 100}),
        ("carrier", Varchar, {"length": 64}),
        ("tracking_number", Varchar, {"length": 100, "index": True}),
        ("label_url", Text, {}),
        ("label_pdf", Bytea, {}),
        ("qr_url", Text, {}),
        ("reference", Varchar, {"length": 32}),
        ("cost_minor", BigInt, {}),
        ("currency", Varchar, {"length": 3}),
        ("tracking_status", Varchar, {"length": 32}),
        ("created_at", Timestamptz, {}),
        ("updated_at", Timestamptz, {}),
    ],
    ("LabelAccount", "return_label_accounts"): [
        ("merchant", ForeignKey, {"references": Merchant, "unique": True}),
        ("provider", Varchar, {"length": 16}),
        ("credentials", Text, {}),
        ("jp_carrier", Varchar, {"length": 16}),
        ("updated_at", Timestamptz, {}),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="return_labels", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class=column_class, params=params)
    return manager
