"""security: the initial schema (rate_counters, user_sessions, stepup_challenges), written in the same trimmed form as
the other apps' initial migrations (parameters equal to a column class's defaults left out). Runs
after merchants (migration_dependencies in piccolo_app.py), whose users table it references."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


# the table the foreign key points at, as of this migration (only its primary key matters)
class User(Table, tablename="users"):
    id = Serial(primary_key=True)


ID = "2026-12-05T19:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

TABLES = {
    ("RateCounter", "rate_counters"): [
        ("key", Varchar, {"length": 300, "unique": True}),
        ("slot", BigInt, {}),
        ("hits", Integer, {}),
        ("expires", BigInt, {"index": True}),
    ],
    ("UserSession", "user_sessions"): [
        ("user", ForeignKey, {"references": User, "index": True}),
        ("purpose", Varchar, {"length": 16}),
        ("id_hash", Varchar, {"length": 64, "unique": True}),
        ("created_at", Timestamptz, {}),
        ("expires_at", Timestamptz, {}),
        ("ended_at", Timestamptz, {"null": True, "default": None}),
    ],
    ("StepupChallenge", "stepup_challenges"): [
        ("order_id", BigInt, {"index": True}),
        ("purpose", Varchar, {"length": 16}),
        ("method", Varchar, {"length": 8}),
        ("session_hash", Varchar, {"length": 64, "index": True}),
        ("code_hash", Varchar, {"length": 64}),
        ("attempts", Integer, {}),
        ("created_at", Timestamptz, {}),
        ("expires_at", Timestamptz, {}),
        ("verified_at", Timestamptz, {"null": True, "default": None}),
        ("verified_until", Timestamptz, {"null": True, "default": None}),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="security", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename)
        for name, column_class, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name,
                               db_column_name=name, column_class=column_class, params=params)
    return manager
