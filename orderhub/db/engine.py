"""Database engines and the one-connection-per-request transaction scopes.

SQLite: a small pool of kept connections (WAL, busy timeout); a scope takes one of them for its
whole life, reads begin DEFERRED, writes begin IMMEDIATE so that read-then-write transactions do
not fail with "database is locked". PostgreSQL: Piccolo's asyncpg pool, one pool connection per
scope. Query and service functions open a scope; nested scopes join the outer one.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator
from urllib.parse import urlsplit, unquote

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from orderhub.settings import Settings


class _PooledConnection:
    """Looks like an aiosqlite connection; `close()` hands it back to the pool."""

    def __init__(self, pool: "_SQLitePool", conn: aiosqlite.Connection) -> None:
        self._pool = pool
        self._conn = conn

    def __getattr__(self, name):
        return getattr(self._conn, name)

    async def close(self) -> None:
        await self._pool.release(self._conn)


class _SQLitePool:
    def __init__(self, engine: "PooledSQLiteEngine", size: int) -> None:
        self._engine = engine
        self._size = size
        self._idle: list[aiosqlite.Connection] = []
        self._count = 0
        self._cond: asyncio.Condition | None = None
        self._loop = None

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

    async def get_connection(self):  # used by SQLiteTransaction
        return _PooledConnection(self.pool, await self.pool.acquire())

    async def close_pool(self) -> None:
        await self.pool.close()


def engine_for(settings: Settings) -> Engine:
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


async def start(engine: Engine, settings: Settings) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=settings.pg_pool_size)


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_pool()


def current_engine() -> Engine:
    from orderhub.db import piccolo_conf

    return piccolo_conf.DB


@contextlib.asynccontextmanager
async def read() -> AsyncIterator[None]:
    """One connection for every query inside; joins an enclosing scope."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.deferred):
            yield
    else:
        async with engine.transaction():
            yield


@contextlib.asynccontextmanager
async def write() -> AsyncIterator[None]:
    """A write transaction (IMMEDIATE on SQLite); joins an enclosing scope."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield


def bind(db: Engine) -> None:
    """Make `db` the engine of every table (and of Piccolo's engine_finder)."""
    from orderhub.db import piccolo_conf

    piccolo_conf.DB = db
    for app in piccolo_conf.APP_REGISTRY.app_configs.values():
        for table in app.table_classes:
            table._meta._db = db


def is_unique_violation(exc: BaseException) -> bool:
    """A unique constraint refused an insert (two writers raced for the same key)."""
    import sqlite3

    try:
        import asyncpg

        if isinstance(exc, asyncpg.UniqueViolationError):
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


async def retry_on_race(fn, *args, attempts: int = 3, **kwargs):
    """Run an upsert again when a concurrent writer inserted the same key first: the second run
    finds the row and updates it (or answers as a repeat)."""
    for attempt in range(attempts):
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:
            if attempt == attempts - 1 or not is_unique_violation(exc):
                raise
