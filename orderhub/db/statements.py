"""Fixed SQL for hot reads: the text built once from the Piccolo table definitions (a column another
engineer adds to a table is selected, and mapped, without touching the statement), run on the
current scope's connection without Piccolo's query builder.

    ORDER = columns(Order, "o")
    BY_TOKEN = Statement(f"SELECT {ORDER.select} FROM orders o WHERE o.token_hash = ?")
    row = ORDER.row(await BY_TOKEN.first(token_hash))      # {"id": ..., "customer": {...}, ...}

Placeholders are written `?` and turned into `$1, $2, ...` for PostgreSQL once. JSON columns come
back decoded; dates and times are converted by the engine as for Piccolo's own queries.

A page that knows what it will read can say so first (`prefetch`): on PostgreSQL those reads go to
the database as one statement, one round trip instead of one each, and each `Statement.all` of the
scope with the same statement and arguments answers from what came back (on SQLite a read costs no
round trip, and nothing changes).

    await statements.prefetch([LINES.read(order_id), SHIPMENTS.read(order_id)])
    lines = await LINES.all(order_id)                        # no round trip on PostgreSQL
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from piccolo.columns import JSON, JSONB, Column, ForeignKey, Integer, Serial
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from orderhub.db import engine

if TYPE_CHECKING:
    from collections.abc import Iterable


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


def named(table: type[Table], alias: str, names: Iterable[str]) -> str:
    """Some columns of `table`, each under its own name (`alias."col" AS "col"`), an integer column
    selected as `+alias."col"` as `columns` does."""
    by_name = {c._meta.db_column_name: c for c in table._meta.columns}
    return ", ".join(f'{"+" if _is_integer(by_name[n]) else ""}{alias}."{n}" AS "{n}"' for n in names)


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
        self.pg_sql = engine.numbered(sql)
        #: the result's column names on PostgreSQL, once a prefetch has asked (`prefetch`)
        self.pg_names: tuple[str, ...] | None = None

    def read(self, *args: Any) -> Read:
        """This statement with these arguments, to be read later (`prefetch`, `Read.all`)."""
        return Read(self, args)

    async def all(self, *args: Any) -> list[dict[str, Any]]:
        db = engine.current_engine()
        transaction = db.current_transaction.get()
        if transaction is None:
            async with engine.read():
                return await self.all(*args)
        connection = transaction.connection
        if isinstance(db, PostgresEngine):
            kept: dict[tuple[str, tuple[Any, ...]], list[dict[str, Any]]] | None = getattr(transaction, _KEPT, None)
            if kept:
                rows = kept.pop((self.sql, args), None)
                if rows is not None:
                    return rows
            return [dict(record) for record in await connection.fetch(self.pg_sql, *args)]
        if isinstance(connection, engine.LoopConnection):
            return await connection.fetchall(self.sql, args)
        async with connection.execute(self.sql, args) as cursor:
            return list(await cursor.fetchall())

    async def first(self, *args: Any) -> dict[str, Any] | None:
        rows = await self.all(*args)
        return rows[0] if rows else None


@dataclass(frozen=True)
class Read:
    """A statement and its arguments: what a page will read, named once for reading it and for
    saying beforehand that it will (`prefetch`)."""

    statement: Statement
    args: tuple[Any, ...]

    async def all(self) -> list[dict[str, Any]]:
        return await self.statement.all(*self.args)

    async def first(self) -> dict[str, Any] | None:
        return await self.statement.first(*self.args)


#: where a read scope on PostgreSQL keeps the prefetched answers: (sql, args) -> rows, each taken once
_KEPT = "orderhub_prefetched"
#: the combined statement of each list of statements prefetched together
_COMBINED: dict[tuple[str, ...], str] = {}


def _combined(texts: tuple[str, ...]) -> str:
    """One statement answering each of `texts` as an array of its rows, column `"i"` for the i-th:
    each row an anonymous record, which asyncpg decodes field by field with the same codecs as a
    column of its own (dates, Decimal, JSON text), in the subquery's own order."""
    sql = _COMBINED.get(texts)
    if sql is None:
        sql = _COMBINED[texts] = engine.numbered(
            "SELECT " + ", ".join(f'ARRAY(SELECT q FROM ({text}) q) AS "{i}"' for i, text in enumerate(texts)))
    return sql


async def prefetch(reads: Iterable[Read]) -> None:
    """Inside a read scope on PostgreSQL, read all of `reads` in one round trip and keep their answers
    in the scope for the `Statement.all` calls with the same statement and arguments (each answer
    once; a read not prefetched, or asked twice, goes to the database as before). Elsewhere nothing:
    SQLite reads cost no round trip, and a write scope must see its own writes."""
    db = engine.current_engine()
    transaction = db.current_transaction.get()
    if not isinstance(db, PostgresEngine) or not isinstance(transaction, engine.PgReads):
        return
    wanted = list({(r.statement.sql, r.args): (r.statement, r.args) for r in reads}.values())
    if not wanted:
        return
    connection = transaction.connection
    for statement, _ in wanted:
        if statement.pg_names is None:  # once per statement and process
            prepared = await connection.prepare(statement.pg_sql)
            statement.pg_names = tuple(a.name for a in prepared.get_attributes())
    record = await connection.fetchrow(_combined(tuple(s.sql for s, _ in wanted)),
                                       *(arg for _, args in wanted for arg in args))
    kept = getattr(transaction, _KEPT, None)
    if kept is None:
        kept = {}
        setattr(transaction, _KEPT, kept)
    for i, (statement, args) in enumerate(wanted):
        names = statement.pg_names or ()
        kept[(statement.sql, args)] = [dict(zip(names, values, strict=True)) for values in record[i]]
