"""Fixed SQL for hot reads: the text built once from the Piccolo table definitions (a column another
engineer adds to a table is selected, and mapped, without touching the statement), run on the
current scope's connection without Piccolo's query builder.

    ORDER = columns(Order, "o")
    BY_TOKEN = Statement(f"SELECT {ORDER.select} FROM orders o WHERE o.token_hash = ?")
    row = ORDER.row(await BY_TOKEN.first(token_hash))      # {"id": ..., "customer": {...}, ...}

Placeholders are written `?` and turned into `$1, $2, ...` for PostgreSQL once. JSON columns come
back decoded; dates and times are converted by the engine as for Piccolo's own queries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from piccolo.columns import JSON, JSONB, Column, ForeignKey, Integer, Serial
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from orderhub.db import engine


@dataclass(frozen=True)
class Columns:
    """A table's columns selected under an alias: `select` for the statement, `row()` to map a
    result row back to the table's own column names (JSON decoded)."""

    select: str
    names: tuple[tuple[str, str], ...]  # (label in the result, column name)
    json_names: frozenset[str]

    def row(self, raw: dict[str, Any] | None) -> dict[str, Any] | None:
        """`raw` under the table's own column names, JSON decoded."""
        if raw is None:
            return None
        out = {name: raw[label] for label, name in self.names}
        for name in self.json_names:
            out[name] = json_value(out[name])
        return out

    def rows(self, raws: list[dict[str, Any]], *keep: str) -> list[dict[str, Any]]:
        """Every result row mapped by `row()`, with the extra result columns named in `keep` (a joined
        table's column selected under its own name) carried over as they are."""
        out = []
        for raw in raws:
            row = {name: raw[label] for label, name in self.names}
            for name in self.json_names:
                row[name] = json_value(row[name])
            for name in keep:
                row[name] = raw[name]
            out.append(row)
        return out


def json_value(value: Any) -> Any:
    """A JSON column read outside `Columns` (decoded when the driver gives text)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _is_integer(column: Column) -> bool:
    if isinstance(column, ForeignKey):
        column = column._foreign_key_meta.resolved_references._meta.primary_key
    return isinstance(column, Integer | Serial)


def columns(table: type[Table], alias: str) -> Columns:
    """Every column of `table`, as `alias."col" AS "alias__col"` (unambiguous in a join).

    An integer column is selected as `+alias."col"` (the same value on both engines): SQLite then
    reports no declared type for it, so Python's sqlite3 hands over its integer as it is instead of
    calling Piccolo's converter (text, then Decimal, then int) for every id and amount of a row."""
    names = []
    parts = []
    for column in table._meta.columns:
        name = column._meta.db_column_name
        label = f"{alias}__{name}"
        parts.append(f'{"+" if _is_integer(column) else ""}{alias}."{name}" AS "{label}"')
        names.append((label, name))
    json_names = frozenset(c._meta.db_column_name for c in table._meta.columns if isinstance(c, (JSON, JSONB)))
    return Columns(", ".join(parts), tuple(names), json_names)


class Statement:
    """One SQL text with `?` placeholders, run inside the current scope (or a read scope of its own)."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        pieces = sql.split("?")
        self.pg_sql = pieces[0] + "".join(f"${i}{part}" for i, part in enumerate(pieces[1:], start=1))

    async def all(self, *args: Any) -> list[dict[str, Any]]:
        db = engine.current_engine()
        transaction = db.current_transaction.get()
        if transaction is None:
            async with engine.read():
                return await self.all(*args)
        connection = transaction.connection
        if isinstance(db, PostgresEngine):
            return [dict(record) for record in await connection.fetch(self.pg_sql, *args)]
        if isinstance(connection, engine.LoopConnection):
            return await connection.fetchall(self.sql, args)
        async with connection.execute(self.sql, args) as cursor:
            return list(await cursor.fetchall())

    async def first(self, *args: Any) -> dict[str, Any] | None:
        rows = await self.all(*args)
        return rows[0] if rows else None
