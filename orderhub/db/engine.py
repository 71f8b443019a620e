"""Database engines and the one-connection-per-request transaction scopes.

SQLite: a small pool of kept aiosqlite connections (WAL, busy timeout) for writes, which begin
IMMEDIATE so that read-then-write transactions do not fail with "database is locked"; read scopes
run on the event loop's own thread through read-only sqlite3 connections (no thread hop per
statement; readers never wait for writers in WAL mode, and a rare "busy" is retried after yielding
to the loop, see `_LoopConnection`). A scope keeps its connection for its whole life.
PostgreSQL: Piccolo's asyncpg pool, one pool connection per scope. Query and service functions open
a scope; a scope inside a scope of the same or a weaker kind
joins the outer one (a read inside a write, a write inside a write), but a write inside a read is a
programming error and raises at once: it would silently run in the read transaction, and on SQLite
fail with "database is locked" under concurrency.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, cast
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.querystring import QueryString

from orderhub.db.apps import APP_REGISTRY
from orderhub.settings import Settings

try:  # PostgreSQL's driver, for telling a unique violation apart
    import asyncpg
except ImportError:  # pragma: no cover
    asyncpg = None

T = TypeVar("T")


class WriteInsideRead(RuntimeError):
    """`write()` was entered inside an open `read()` scope."""


class _PooledConnection:
    """Looks like an aiosqlite connection; `close()` hands it back to the pool."""

    def __init__(self, pool: _SQLitePool, conn: aiosqlite.Connection) -> None:
        self._pool = pool
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    async def close(self) -> None:
        await self._pool.release(self._conn)


class _SQLitePool:
    def __init__(self, engine: PooledSQLiteEngine, size: int) -> None:
        self._engine = engine
        self._size = size
        self._idle: list[aiosqlite.Connection] = []
        self._count = 0
        self._cond: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _condition(self) -> asyncio.Condition:
        loop = asyncio.get_running_loop()
        if self._cond is None or self._loop is not loop:
            # a new event loop (tests, CLI): connections of the old loop are not reusable
            for stale in self._idle:
                stale.stop()
            self._idle, self._count, self._loop = [], 0, loop
            self._cond = asyncio.Condition()
        return self._cond

    async def acquire(self) -> aiosqlite.Connection:
        cond = self._condition()
        async with cond:
            while not self._idle and self._count >= self._size:
                await cond.wait()
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            return await self._engine.new_connection()
        except BaseException:
            async with cond:
                self._count -= 1
                cond.notify()
            raise

    async def release(self, conn: aiosqlite.Connection) -> None:
        cond = self._condition()
        healthy = not conn.in_transaction
        async with cond:
            if healthy:
                self._idle.append(conn)
            else:
                self._count -= 1
            cond.notify()
        if not healthy:
            await conn.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        self._count -= len(idle)
        for conn in idle:
            await conn.close()


class PooledSQLiteEngine(SQLiteEngine):
    """SQLiteEngine whose transactions reuse kept connections instead of opening one per query."""

    def __init__(self, path: str, pool_size: int = 8, busy_timeout_ms: int = 5000) -> None:
        super().__init__(path=path, timeout=busy_timeout_ms / 1000)
        self.busy_timeout_ms = busy_timeout_ms
        self.pool = _SQLitePool(self, pool_size)
        self._loop_idle: list[sqlite3.Connection] = []

    async def new_connection(self) -> aiosqlite.Connection:
        pending = aiosqlite.connect(**self.connection_kwargs)
        # a kept connection must never hold the process open at exit
        pending._thread.daemon = True
        conn = await pending
        conn.row_factory = dict_factory  # type: ignore[assignment]
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = 1")
        return conn

    async def get_connection(self) -> Any:  # used by SQLiteTransaction
        """A read scope reads on the loop's thread; every other transaction takes a kept
        aiosqlite connection."""
        if _scope.get() == "read":
            return self.loop_connection()
        return _PooledConnection(self.pool, await self.pool.acquire())

    async def _run_in_existing_connection(self, connection: Any, query: str, args: list[Any] | None = None,
                                          query_type: str = "generic", table: Any = None) -> Any:
        """Piccolo's version runs `PRAGMA foreign_keys = 1` before every statement, which empties
        SQLite's prepared-statement cache (every SELECT parsed again). Kept connections set their
        pragmas once, when they are opened (`new_connection`)."""
        if isinstance(connection, _LoopConnection):
            return await connection.fetchall(query, args or [])
        async with connection.execute(query, args or []) as cursor:
            rows = await cursor.fetchall()
            if query_type == "insert" and self.get_version_sync() < 3.35:  # pragma: no cover - old SQLite
                assert table is not None
                return [{table._meta.primary_key._meta.db_column_name: await self._get_inserted_pk(cursor, table)}]
            return rows

    async def close_pool(self) -> None:
        await self.pool.close()
        idle, self._loop_idle = self._loop_idle, []
        for conn in idle:
            conn.close()

    def loop_connection(self) -> _LoopConnection:
        """A read scope's connection, used on the event loop's own thread (see `_LoopConnection`)."""
        if self._loop_idle:
            return _LoopConnection(self, self._loop_idle.pop())
        kwargs = {**self.connection_kwargs, "timeout": 0, "check_same_thread": False}
        conn = sqlite3.connect(**kwargs)  # rows as tuples, made dicts by `_LoopConnection.fetchall`
        conn.execute("PRAGMA query_only = 1")
        # pages read straight from the OS's page cache (shared by every connection and process)
        # instead of copied into each connection's own 2 MB cache: a scaled shop's index pages
        conn.execute(f"PRAGMA mmap_size = {LOOP_MMAP_BYTES}")
        return _LoopConnection(self, conn)

    def loop_release(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction or len(self._loop_idle) >= LOOP_CONNECTIONS_KEPT:
            conn.close()
        else:
            self._loop_idle.append(conn)


#: idle read connections kept for the event loop's thread (one per read scope in flight)
LOOP_CONNECTIONS_KEPT = 16
#: how much of the database file a read connection maps into memory (address space, not memory)
LOOP_MMAP_BYTES = 1 << 30


class _LoopConnection:
    """What a read scope's Piccolo transaction sees on SQLite: a plain sqlite3 connection used on
    the event loop's own thread, read-only. A small read answers in microseconds, far less than the
    two thread hops of aiosqlite; in WAL mode readers are not blocked by writers, and in the rare
    moment SQLite answers "busy" (a checkpoint restarting the log) the statement is tried again
    after yielding to the loop, never by waiting on the lock inside the loop."""

    def __init__(self, engine: PooledSQLiteEngine, conn: sqlite3.Connection) -> None:
        self._engine = engine
        self.raw = conn

    async def execute(self, sql: str, args: Any = ()) -> None:  # BEGIN / COMMIT / ROLLBACK
        await self.fetchall(sql, args)

    async def fetchall(self, sql: str, args: Any = ()) -> list[Any]:
        """The rows as dicts (column name -> value), as Piccolo's row factory gives them, made by one
        `dict(zip(...))` per row instead of a Python call per row."""
        for attempt in range(2000):
            try:
                cursor = self.raw.execute(sql, args)
                rows = cursor.fetchall()
                if not rows:
                    return rows
                names = [column[0] for column in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in rows]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or attempt == 1999:
                    raise
            await asyncio.sleep(0.0025)
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    async def close(self) -> None:
        self._engine.loop_release(self.raw)


#: the public name, for orderhub.db.statements
LoopConnection = _LoopConnection


def engine_for(settings: Settings) -> Engine[Any]:
    if settings.is_postgres:
        url = urlsplit(settings.database_url)
        config = {
            "host": url.hostname or "localhost",
            "port": url.port or 5432,
            "user": unquote(url.username or "postgres"),
            "password": unquote(url.password or ""),
            "database": (url.path or "/orderhub").lstrip("/"),
        }
        if url.query:
            for part in url.query.split("&"):
                key, _, value = part.partition("=")
                if key == "host":  # unix socket folder
                    config["host"] = unquote(value)
        # a writer waiting on another's lock gives up after the busy timeout (errors.is_busy: 503)
        config["server_settings"] = {"lock_timeout": str(int(settings.db_busy_timeout_ms))}
        return PostgresEngine(config=config, log_queries=False)
    if settings.sqlite_pool_size <= 0:
        return SQLiteEngine(path=settings.sqlite_path, timeout=settings.db_busy_timeout_ms / 1000)
    return PooledSQLiteEngine(settings.sqlite_path, pool_size=settings.sqlite_pool_size,
                              busy_timeout_ms=settings.db_busy_timeout_ms)


def is_busy(exc: BaseException) -> bool:
    """The database could not take this write in time: SQLite's "database is locked" after the busy
    timeout, PostgreSQL's lock timeout (or a deadlock it broke). Nothing is wrong with the request:
    it may be sent again in a moment."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc)
        return "database is locked" in text or "database is busy" in text or "database table is locked" in text
    if asyncpg is not None:
        pg = asyncpg.exceptions
        return isinstance(exc, pg.LockNotAvailableError | pg.DeadlockDetectedError | pg.TooManyConnectionsError)
    return False


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool, on giving a connection back, otherwise sends `SELECT pg_advisory_unlock_all();
    CLOSE ALL; UNLISTEN *; RESET ALL;` (a round trip per scope and per point read). Nothing here
    leaves such state on a pooled connection: advisory locks are transaction-scoped, LISTEN has its
    own connection (site/live.py), no cursor or SET outlives its transaction. An open transaction is
    still rolled back by the pool before this runs."""
    return None


async def start(engine: Engine[Any], settings: Settings) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=settings.pg_pool_size, reset=_keep_session)


async def stop(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_pool()


_bound: Engine[Any] | None = None
#: the kind of the scope open in this task ("read" or "write"), None outside any scope
_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar("orderhub_db_scope", default=None)


def current_engine() -> Engine[Any]:
    """The bound engine; without one, an engine for DATABASE_URL is built and bound on first use."""
    global _bound
    if _bound is None:
        _bound = engine_for(Settings.from_env(need_secret=False))
    return _bound


@contextlib.asynccontextmanager
async def _scope_of(kind: str) -> AsyncIterator[None]:
    engine = current_engine()
    outer = _scope.get()
    if outer == "read" and kind == "write":
        raise WriteInsideRead(
            "a write scope was opened inside a read scope: end the read scope (or the read_scope "
            "route middleware) before calling a service that writes"
        )
    if outer is not None:  # join the enclosing transaction
        yield
        return
    token = _scope.set(kind)
    try:
        if isinstance(engine, SQLiteEngine):
            kind_type = TransactionType.immediate if kind == "write" else TransactionType.deferred
            async with engine.transaction(transaction_type=kind_type):
                yield
        elif kind == "read" and isinstance(engine, PostgresEngine) and engine.pool is not None:
            connection = await engine.pool.acquire()
            context = engine.current_transaction.set(cast(Any, _PgReads(connection)))
            try:
                yield
            finally:
                engine.current_transaction.reset(context)
                await engine.pool.release(connection)
        else:
            async with engine.transaction():
                yield
    finally:
        _scope.reset(token)


class _PgReads:
    """A read scope on PostgreSQL: one pool connection for the scope's reads, without BEGIN and
    COMMIT (two round trips a page). Under READ COMMITTED (PostgreSQL's default, and ours) every
    statement sees what was committed when it started, in a transaction or not, so a transaction
    adds nothing to a scope that only reads (a write inside a read scope is refused). Piccolo's
    queries and the fixed statements find its connection where they find a transaction's
    (`engine.current_transaction`); a transaction opened inside joins it as Piccolo's nested ones do."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection


#: the public name, for orderhub.db.statements
PgReads = _PgReads


def in_scope() -> bool:
    """Whether a read or write scope is open in this task."""
    return _scope.get() is not None


class _Joined:
    """The scope of a `read()` or `write()` inside an enclosing scope it joins: nothing to open or
    close (cheaper than a generator-based context manager, on a page's dozen reads)."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


_JOINED = _Joined()


def read() -> contextlib.AbstractAsyncContextManager[None]:
    """One connection for every query inside; joins an enclosing scope."""
    return _JOINED if _scope.get() is not None else _scope_of("read")


def write() -> contextlib.AbstractAsyncContextManager[None]:
    """A write transaction (IMMEDIATE on SQLite); joins an enclosing write scope, and raises
    `WriteInsideRead` inside a read scope."""
    return _JOINED if _scope.get() == "write" else _scope_of("write")


def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, ...` (our SQL has no literal `?`)."""
    pieces = sql.split("?")
    return pieces[0] + "".join(f"${i}{part}" for i, part in enumerate(pieces[1:], start=1))


async def read_row(sql: str, *args: Any) -> dict[str, Any] | None:
    """One row (the first) of a small read by an indexed key, written with `?` placeholders, as
    cheaply as the engine allows: on SQLite on the event loop's thread through a read-only
    connection without BEGIN/COMMIT, on PostgreSQL straight from the pool. Outside any scope only
    (a scope's own reads must see its writes), which it checks."""
    db = current_engine()
    if _scope.get() is None:
        if isinstance(db, PooledSQLiteEngine):
            conn = db.loop_connection()
            try:
                rows = await conn.fetchall(sql, args)
            finally:
                await conn.close()
            return rows[0] if rows else None
        elif isinstance(db, PostgresEngine) and db.pool is not None:
            record = await db.pool.fetchrow(numbered(sql), *args)
            return dict(record) if record is not None else None
    # the ordinary path: a read scope and Piccolo's engine

    async with read():
        rows = await db.run_querystring(QueryString(sql.replace("?", "{}"), *args))
    return dict(rows[0]) if rows else None  # a dict on both engines (asyncpg answers Records)


async def insert_many(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Many rows of plain values into `table` inside the current write scope, as one prepared
    statement run for each row (executemany: one thread hop on SQLite, one round trip on
    PostgreSQL), without building a query object per row."""
    if _scope.get() != "write":
        raise RuntimeError("insert_many runs inside a write scope")
    db = current_engine()
    names = ", ".join(f'"{c}"' for c in columns)
    transaction = db.current_transaction.get()
    assert transaction is not None  # the write scope's
    connection = transaction.connection
    if isinstance(db, PostgresEngine):
        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    else:
        marks = ", ".join("?" for _ in columns)
    await connection.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


_binding = 0


def binding() -> int:
    """Which binding of an engine is current: what a process keeps from the database (the
    merchants of orderhub.db.orders.queries) is kept per binding."""
    return _binding


def bind(db: Engine[Any]) -> None:
    """Make `db` the engine of every table (and of Piccolo's engine_finder)."""
    global _bound, _binding
    _bound = db
    _binding += 1
    for app in APP_REGISTRY.app_configs.values():
        for table in app.table_classes:
            table._meta._db = db


def is_unique_violation(exc: BaseException) -> bool:
    """A unique constraint refused an insert (two writers raced for the same key)."""
    if asyncpg is not None and isinstance(exc, asyncpg.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


async def retry_on_race(fn: Callable[..., Awaitable[T]], *args: Any, attempts: int = 3, **kwargs: Any) -> T:
    """Run an upsert again when a concurrent writer inserted the same key first: the second run
    finds the row and updates it (or answers as a repeat)."""
    for attempt in range(attempts):
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:
            if attempt == attempts - 1 or not is_unique_violation(exc):
                raise
    raise AssertionError("unreachable")  # pragma: no cover
