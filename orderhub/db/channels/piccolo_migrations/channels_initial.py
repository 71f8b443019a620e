"""channels: the initial schema.

Creates channel_messages, channel_recipients, channel_consents and channel_accounts, written in the
same trimmed style as the other areas' initial migrations (one line per column, in the table's order;
parameters equal to the column class's defaults left out). Runs after merchants."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Merchant(Table, tablename="merchants"):
    id = Serial(primary_key=True)


ID = "2026-12-05T23:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

TABLES = {
    ("ChannelOutboxMessage", "channel_messages"): [
        ("merchant", ForeignKey, {"references": Merchant, "index": True}),
        ("order_id", Integer, {"null": True, "default": None, "index": True}),
        ("channel", Varchar, {"length": 16}),
        ("event", Varchar, {"length": 60}),
        ("payload", JSON, {}),
        ("kind", Varchar, {"length": 40}),
        ("shipment", Varchar, {"length": 100}),
        ("recipient", Varchar, {"length": 200}),
        ("locale", Varchar, {"length": 8, "default": "en"}),
        ("key", Varchar, {"length": 400, "unique": True}),
        ("state", Varchar, {"length": 16, "default": "pending", "index": True}),
        ("attempts", Integer, {}),
        ("next_attempt_at", Timestamptz, {"index": True}),
        ("last_error", Text, {}),
        ("created_at", Timestamptz, {"index": True}),
        ("sent_at", Timestamptz, {"null": True, "default": None}),
        ("rendered_text", Text, {}),
        ("provider_id", Varchar, {"length": 200}),
    ],
    ("ChannelRecipient", "channel_recipients"): [
        ("merchant", ForeignKey, {"references": Merchant, "index": True}),
        ("order_id", Integer, {"index": True}),
        ("channel", Varchar, {"length": 16}),
        ("key", Varchar, {"length": 200, "unique": True}),
        ("recipient", Varchar, {"length": 200}),
        ("active", Boolean, {}),
        ("nonce", Varchar, {"length": 100, "null": True, "default": None, "unique": True}),
        ("updated_at", Timestamptz, {}),
    ],
    ("ChannelConsent", "channel_consents"): [
        ("merchant", ForeignKey, {"references": Merchant, "index": True}),
        ("order_id", Integer, {"index": True}),
        ("channel", Varchar, {"length": 16}),
        ("action", Varchar, {"length": 16}),
        ("source", Varchar, {"length": 16}),
        ("at", Timestamptz, {}),
    ],
    ("ChannelAccount", "channel_accounts"): [
        ("merchant", ForeignKey, {"references": Merchant, "index": True}),
        ("channel", Varchar, {"length": 16}),
        ("key", Varchar, {"length": 100, "unique": True}),
        ("enabled", Boolean, {}),
        ("events", JSON, {"default": "[]"}),
        ("credentials", Text, {}),
        ("hints", JSON, {}),
        ("updated_at", Timestamptz, {}),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="channels", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class=column_class, params=params)
    return manager
