"""Point reads that arrive together, answered by one statement.

A cached hub page costs one read: the order its token opens, by the token's hash (the page cache's
stamp, `orders.versions.hub_stamp`). On SQLite that read runs on the event loop's own thread in
microseconds. On PostgreSQL it is a round trip, and under a campaign's load it is most of what a
cached page costs (the database's work, the driver's and a wait on the loop for each page). So on
PostgreSQL the point reads of one statement that are asked for in the same turn of the event loop
go to the database together, as one statement (`WHERE <column> = ANY($1)`) on one pool connection,
and each waiting read gets its own row.

Never stale: a read joins a batch only until the batch is sent, so its statement always starts after
the read was asked for and sees everything committed before (a change made by any process is seen
at once, as with a read of its own). Batches belong to one event loop and one engine.
"""

from __future__ import annotations

import asyncio
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from orderhub.db import engine

#: the label the batch statement gives the key column in its rows
_KEY = "point_read_key"


class PointRead:
    """At most one row by one key column (`<select_from> WHERE <column> = ?`), read outside any
    scope (`engine.read_row`'s reads), batched on PostgreSQL (see the module's text)."""

    def __init__(self, select_from: str, column: str) -> None:
        if not select_from.startswith("SELECT "):
            raise ValueError("a point read starts with SELECT")
        self.sql = f"{select_from} WHERE {column} = ?"
        self.batch_sql = f"SELECT {column} AS {_KEY}, {select_from.removeprefix('SELECT ')} WHERE {column} = ANY($1)"
        #: the batch still open (not sent yet): its loop and engine, and its waiting reads by key
        self._open: tuple[asyncio.AbstractEventLoop, Any, dict[Any, list[asyncio.Future[dict[str, Any] | None]]]] | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def row(self, key: Any) -> dict[str, Any] | None:
        db = engine.current_engine()
        if engine.in_scope() or not isinstance(db, PostgresEngine) or db.pool is None:
            return await engine.read_row(self.sql, key)
        loop = asyncio.get_running_loop()
        if self._open is None or self._open[0] is not loop or self._open[1] is not db:
            self._open = (loop, db, {})
            # the batch goes out in the loop's next turn, with every read asked for in this one
            task = loop.create_task(self._send())
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        future: asyncio.Future[dict[str, Any] | None] = loop.create_future()
        self._open[2].setdefault(key, []).append(future)
        return await future

    async def _send(self) -> None:
        assert self._open is not None
        _, db, waiting = self._open
        self._open = None  # from now on a read starts a new batch
        try:
            records = await db.pool.fetch(self.batch_sql, list(waiting))
        except asyncio.CancelledError:
            for futures in waiting.values():
                for future in futures:
                    future.cancel()
            raise
        except Exception as exc:
            for futures in waiting.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
            return
        found: dict[Any, dict[str, Any]] = {}
        for record in records:
            row = dict(record)
            found[row.pop(_KEY)] = row
        for key, futures in waiting.items():
            answer = found.get(key)
            for future in futures:
                if not future.done():  # a read given up (its request gone) is skipped
                    future.set_result(dict(answer) if answer is not None else None)
