"""The migrations build the schema tables.py declares, on the engine given by --engine.

For every table of every app in APP_REGISTRY, the database (made by `orderhub migrate` in the session
fixture) is read back through the engine's own catalog (SQLite: PRAGMA table_info / index_list /
index_info / foreign_key_list; PostgreSQL: information_schema and pg_indexes) and compared with the
Piccolo table class: columns (name, type family, null-ability, default, primary key), indexes (which
columns, unique or not) and foreign keys (target, ON DELETE / ON UPDATE). A mismatch fails with a
unified diff, "tables.py" against "database", one line per fact.

Until the first release every app has exactly one migration (its initial one): change that migration
rather than adding another, and recreate development databases.
"""

from __future__ import annotations

import difflib
import re

import pytest
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.columns import (
    JSON,
    JSONB,
    BigInt,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import Column
from piccolo.columns.defaults.base import Default
from piccolo.table import Table

from orderhub.db import engine, indexes

#: Piccolo column class -> the type family both engines are compared in
FAMILY: dict[type[Column], str] = {
    Serial: "integer", Integer: "integer", SmallInt: "integer", BigInt: "bigint", Varchar: "varchar",
    Text: "text", Boolean: "boolean", JSON: "json", JSONB: "jsonb", Bytea: "bytes",
    Timestamptz: "timestamptz", Date: "date",
}

#: declared SQLite type (without a length) -> family
SQLITE_TYPES = {"INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "integer", "VARCHAR": "varchar",
                "TEXT": "text", "BOOLEAN": "boolean", "JSON": "json", "JSONB": "jsonb", "BLOB": "bytes",
                "BYTEA": "bytes", "TIMESTAMPTZ": "timestamptz", "DATE": "date"}

#: PostgreSQL information_schema data_type -> family
PG_TYPES = {"integer": "integer", "bigint": "bigint", "smallint": "integer", "character varying": "varchar",
            "text": "text", "boolean": "boolean", "json": "json", "jsonb": "jsonb", "bytea": "bytes",
            "timestamp with time zone": "timestamptz", "date": "date"}


@pytest.fixture
def apps(database_url):
    # imported once the session fixture has configured DATABASE_URL (piccolo_conf builds its engine on import)
    from orderhub.db.piccolo_conf import APP_REGISTRY

    return list(APP_REGISTRY.app_configs.values())


@pytest.fixture
def tables(apps) -> list[type[Table]]:
    return [table for app in apps for table in app.table_classes]


# -- what tables.py declares ------------------------------------------------------------------------------


def _type(family: str, length: int | None) -> str:
    return f"{family}({length})" if family == "varchar" else family


def _expected_default(column: Column) -> str | None:
    value = column.default
    if isinstance(value, Default):
        return "now" if type(value).__name__.endswith("Now") else f"unsupported default {value!r}"
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return f"x'{value.hex()}'"
    if isinstance(value, str):
        return repr(value)
    return f"unsupported default {value!r}"


def _column_line(table: str, name: str, type_: str, null: bool, default: str | None, pk: bool) -> str:
    line = f"{table}.{name}: {type_}{'' if null else ' NOT NULL'}"
    if pk:
        return line + " PRIMARY KEY"
    return line + ("" if default is None else f" DEFAULT {default}")


def _index_line(table: str, columns: list[str], unique: bool) -> str:
    return f"{table}: {'UNIQUE ' if unique else ''}INDEX ({', '.join(columns)})"


def _fk_line(table: str, column: str, target: str, target_column: str, on_delete: str, on_update: str) -> str:
    return f"{table}.{column} -> {target}.{target_column} ON DELETE {on_delete} ON UPDATE {on_update}"


def declared(tables: list[type[Table]], engine_type: str) -> list[str]:
    facts = []
    for table in tables:
        name = table._meta.tablename
        facts.append(f"table {name}")
        for column in table._meta.columns:
            db_name = column._meta.db_column_name
            kind = type(column)
            if isinstance(column, ForeignKey):
                meta = column._foreign_key_meta
                target = meta.resolved_target_column
                kind = type(target)  # the column holds the target's primary key
                facts.append(_fk_line(name, db_name, meta.resolved_references._meta.tablename,
                                      target._meta.db_column_name, meta.on_delete.value,
                                      meta.on_update.value))
            family = FAMILY.get(kind, f"unknown column class {kind.__name__} (add it to FAMILY)")
            if engine_type == "sqlite" and family == "bigint":
                family = "integer"  # SQLite has one (64-bit) integer type: Piccolo declares BigInt as INTEGER
            pk = column._meta.primary_key
            length = getattr(column, "length", None)
            facts.append(_column_line(name, db_name, _type(family, length), column._meta.null and not pk,
                                      _expected_default(column), pk))
            if pk:
                continue
            if column._meta.unique:
                facts.append(_index_line(name, [db_name], unique=True))
            if column._meta.index:
                facts.append(_index_line(name, [db_name], unique=False))
        for index in indexes.INDEXES:  # several columns or partial: created by `orderhub migrate`
            if index.table == name:
                facts.append(_index_line(name, list(index.columns), unique=False))
    return sorted(facts)


# -- what the database has --------------------------------------------------------------------------------


def _unquote(value: str) -> str:
    return value[1:-1].replace("''", "'")


def _db_default(raw: str | None, family: str) -> str | None:
    if raw is None:
        return None
    value = raw
    while True:  # PostgreSQL: '{}'::json, ''::character varying, '\x'::bytea
        cast = re.fullmatch(r"(.*)::[a-z ]+(\(\d+\))?", value, re.DOTALL)
        if not cast:
            break
        value = cast.group(1)
    if value.lower() == "null":
        return None
    if value.lower() in ("current_timestamp", "now()", "current_date"):
        return "now"
    if family == "bytes" and value.startswith("'"):
        text = _unquote(value)
        return f"x'{text[2:] if text.startswith(chr(92) + 'x') else text.encode().hex()}'"
    if value.startswith("'") and value.endswith("'"):
        return repr(_unquote(value))
    return value.lower()


async def _rows(sql: str, *args) -> list[dict]:
    from orderhub.db.merchants.tables import Merchant  # any table class: raw SQL runs on its engine

    return await Merchant.raw(sql, *args)


async def sqlite_facts() -> list[str]:
    facts = []
    names = await _rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                        "AND name != 'migration'")
    for name in sorted(row["name"] for row in names):
        facts.append(f"table {name}")
        for col in await _rows(f'PRAGMA table_info("{name}")'):
            declared_type = col["type"].upper()
            match = re.fullmatch(r"(\w+)(?:\((\d+)\))?", declared_type)
            base, length = (match.group(1), match.group(2)) if match else (declared_type, None)
            family = SQLITE_TYPES.get(base, f"unknown type {declared_type}")
            facts.append(_column_line(name, col["name"], _type(family, int(length) if length else None),
                                      not col["notnull"], _db_default(col["dflt_value"], family),
                                      bool(col["pk"])))
        for index in await _rows(f'PRAGMA index_list("{name}")'):
            if index["origin"] == "pk":
                continue
            columns = [c["name"] for c in sorted(await _rows(f'PRAGMA index_info("{index["name"]}")'),
                                                 key=lambda c: c["seqno"])]
            facts.append(_index_line(name, columns, bool(index["unique"])))
        for fk in await _rows(f'PRAGMA foreign_key_list("{name}")'):
            facts.append(_fk_line(name, fk["from"], fk["table"], fk["to"], fk["on_delete"], fk["on_update"]))
    return sorted(facts)


async def postgres_facts() -> list[str]:
    facts = []
    names = await _rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                        "AND table_type = 'BASE TABLE' AND table_name != 'migration'")
    for name in sorted(row["table_name"] for row in names):
        facts.append(f"table {name}")
        pk = await _rows(
            "SELECT kcu.column_name, tc.constraint_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
            "AND kcu.table_schema = tc.table_schema "
            "WHERE tc.table_schema = 'public' AND tc.table_name = {} AND tc.constraint_type = 'PRIMARY KEY'",
            name,
        )
        pk_columns = {row["column_name"] for row in pk}
        pk_indexes = {row["constraint_name"] for row in pk}
        columns = await _rows(
            "SELECT column_name, data_type, character_maximum_length, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = {}",
            name,
        )
        for col in columns:
            family = PG_TYPES.get(col["data_type"], f"unknown type {col['data_type']}")
            type_ = _type(family, col["character_maximum_length"])
            facts.append(_column_line(name, col["column_name"], type_, col["is_nullable"] == "YES",
                                      _db_default(col["column_default"], family),
                                      col["column_name"] in pk_columns))
        for index in await _rows("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                                 "AND tablename = {}", name):
            if index["indexname"] in pk_indexes:
                continue
            match = re.fullmatch(r"CREATE (UNIQUE )?INDEX \S+ ON \S+ USING \w+ \((.*?)\)(?: WHERE .*)?",
                                 index["indexdef"])
            assert match, index["indexdef"]
            columns = [c.strip().strip('"') for c in match.group(2).split(",")]
            facts.append(_index_line(name, columns, bool(match.group(1))))
        for fk in await _rows(
            "SELECT kcu.column_name, ccu.table_name AS target, ccu.column_name AS target_column, "
            "rc.delete_rule, rc.update_rule FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
            "AND kcu.table_schema = tc.table_schema "
            "JOIN information_schema.referential_constraints rc ON rc.constraint_name = tc.constraint_name "
            "AND rc.constraint_schema = tc.table_schema "
            "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name "
            "AND ccu.constraint_schema = tc.table_schema "
            "WHERE tc.table_schema = 'public' AND tc.table_name = {} AND tc.constraint_type = 'FOREIGN KEY'",
            name,
        ):
            facts.append(_fk_line(name, fk["column_name"], fk["target"], fk["target_column"],
                                  fk["delete_rule"], fk["update_rule"]))
    return sorted(facts)


def _diff(expected: list[str], actual: list[str]) -> str:
    return "\n".join(difflib.unified_diff(expected, actual, "tables.py", "database", lineterm="", n=0))


# -- the tests -------------------------------------------------------------------------------------------


async def test_the_migrated_database_matches_the_table_classes(db, tables):
    async with engine.read():
        actual = await (postgres_facts() if db.engine_type == "postgres" else sqlite_facts())
    expected = declared(tables, db.engine_type)
    assert len(expected) > 3 * len(tables)  # the comparison saw columns, not only table names
    assert actual == expected, "the migrations and tables.py disagree:\n" + _diff(expected, actual)


async def test_each_app_has_one_initial_migration_later_ones_only_add_and_all_ran(db, apps):
    """One initial migration per app (squashed before the first release); work done in parallel adds
    its own later migration, which may only add tables and columns (never alter, rename or drop, and
    no raw SQL), so merging branches never rewrites a migration another branch depends on."""
    finder = BaseMigrationManager()
    found = {app.app_name: sorted(finder.get_migration_modules(app.resolved_migrations_folder_path))
             for app in apps}
    assert all(ids for ids in found.values()), found
    changes = {}
    for app in apps:
        modules = finder.get_migration_modules(app.resolved_migrations_folder_path)
        for migration_id in found[app.app_name][1:]:
            manager = await modules[migration_id].forwards()
            kinds = {name for name in ("drop_tables", "rename_tables", "change_table_schemas", "drop_columns",
                                       "rename_columns", "alter_columns", "drop_constraints", "raw")
                     if getattr(getattr(manager, name), name, getattr(manager, name))}  # a list, or a collection of one
            if kinds:
                changes[(app.app_name, migration_id)] = sorted(kinds)
    assert not changes, f"later migrations may only add tables and columns: {changes}"
    async with engine.read():
        ran = await _rows("SELECT app_name, name FROM migration ORDER BY app_name, name")
    assert sorted((row["app_name"], row["name"]) for row in ran) == sorted(
        (name, migration_id) for name, ids in found.items() for migration_id in ids
    )


async def test_piccolo_finds_nothing_to_migrate(apps):
    """The migrations' snapshot is what tables.py declares: `piccolo migrations new --auto` would write
    nothing (a changed table needs its migration changed too)."""
    pending = {}
    for app in apps:
        statements = await AutoMigrationManager(auto_input="n").get_alter_statements(app_config=app)
        lines = [line for group in statements for line in group.statements]
        if lines:
            pending[app.app_name] = lines
    assert not pending, f"tables.py differs from the migrations: {pending}"
