"""Database engines and the one-connection-per-request transaction scopes.

SQLite: a small pool of kept connections (WAL, busy timeout); a scope takes one of them for its
whole life, reads begin DEFERRED, writes begin IMMEDIATE so that read-then-write transactions do
not fail with "database is locked". PostgreSQL: Piccolo's asyncpg pool, one pool connection per
scope. Query and service functions open a scope; a scope inside a scope of the same or a weaker kind
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
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

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

    async def get_connection(self) -> Any:  # used by SQLiteTransaction (a pooled connection)
        return _PooledConnection(self.pool, await self.pool.acquire())

    async def _run_in_existing_connection(self, connection: Any, query: str, args: list[Any] | None = None,
                                          query_type: str = "generic", table: Any = None) -> Any:
        """Piccolo's version runs `PRAGMA foreign_keys = 1` before every statement, which empties
        SQLite's prepared-statement cache (every SELECT parsed again). Kept connections set their
        pragmas once, when they are opened (`new_connection`)."""
        async with connection.execute(query, args or []) as cursor:
            rows = await cursor.fetchall()
            if query_type == "insert" and self.get_version_sync() < 3.35:  # pragma: no cover - old SQLite
                assert table is not None
                return [{table._meta.primary_key._meta.db_column_name: await self._get_inserted_pk(cursor, table)}]
            return rows

    async def close_pool(self) -> None:
        await self.pool.close()


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
        return PostgresEngine(config=config, log_queries=False)
    if settings.sqlite_pool_size <= 0:
        return SQLiteEngine(path=settings.sqlite_path, timeout=5)
    return PooledSQLiteEngine(settings.sqlite_path, pool_size=settings.sqlite_pool_size)


async def start(engine: Engine[Any], settings: Settings) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=settings.pg_pool_size)


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
        else:
            async with engine.transaction():
                yield
    finally:
        _scope.reset(token)


def read() -> contextlib.AbstractAsyncContextManager[None]:
    """One connection for every query inside; joins an enclosing scope."""
    return _scope_of("read")


def write() -> contextlib.AbstractAsyncContextManager[None]:
    """A write transaction (IMMEDIATE on SQLite); joins an enclosing write scope, and raises
    `WriteInsideRead` inside a read scope."""
    return _scope_of("write")


def bind(db: Engine[Any]) -> None:
    """Make `db` the engine of every table (and of Piccolo's engine_finder)."""
    global _bound
    _bound = db
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
