"""shipping: what the delivery promise learns from.

Adds to shipments the carrier's service, the lane (indexed: carrier × service × origin region →
destination region, per merchant) and the business days a delivered parcel took."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar

ID = "2026-12-05T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "delivery promise: service, lane, transit days"

COLUMNS = [
    ("service", Varchar, {"length": 64}),
    ("lane", Varchar, {"length": 300, "index": True}),
    ("transit_days", Integer, {"null": True, "default": None}),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="shipping", description=DESCRIPTION)
    for name, column_class, params in COLUMNS:
        manager.add_column(table_class_name="Shipment", tablename="shipments", column_name=name, db_column_name=name,
                           column_class=column_class, params=params)
    return manager
