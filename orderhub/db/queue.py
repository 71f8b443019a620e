"""One claim for every outbox (webhook deliveries, emails, channel messages): the queue mechanics
they share, over any table with the outbox columns (db/queue_columns.py: `state`, `attempts`,
`next_attempt_at`). The areas keep their own states past `sending` and their own record steps.

`claim_due` moves due rows pending -> sending in one write transaction, with a conditional UPDATE
(`... WHERE state = 'pending' AND next_attempt_at <= now`): on SQLite the write transaction is begun
IMMEDIATE, so claimers take turns; on PostgreSQL (READ COMMITTED) a claimer blocked on a row another
one is updating re-checks the condition once that one commits and skips the row, and the rows are
picked `FOR UPDATE SKIP LOCKED`, so concurrent claimers take different rows instead of queueing on
the same ones. Either way a row goes to exactly one claimer, whether they run in one process or
several. The claim commits before
anything is sent; a worker that dies after it leaves the row `sending` until its lease ends
(`release_stuck`).

Not an area (db/<area>/): it imports nothing of them, so the outbox, emails and channels all use it
without an import cycle (tests/unit/test_import_graph.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol, cast

from piccolo.columns import Column
from piccolo.table import Table

from orderhub.db import engine

PENDING, SENDING, DEAD = "pending", "sending", "dead"


class OutboxTable(Protocol):
    """What the claim needs of a table (the columns of db/queue_columns.OutboxColumns)."""

    id: Any
    state: Any
    attempts: Any
    next_attempt_at: Any
    last_error: Any


def _due(table: type[Table], now: dt.datetime) -> Any:
    t = cast(OutboxTable, table)
    return (t.state == PENDING) & (t.next_attempt_at <= now)


async def due_ids(table: type[Table], now: dt.datetime, limit: int) -> list[int]:
    """Ids of due rows, oldest due first (a read: claim them with `claim_due`)."""
    t = cast(OutboxTable, table)
    async with engine.read():
        rows = await table.select(t.id).where(_due(table, now)).order_by(t.next_attempt_at).order_by(t.id).limit(limit)
    return [r["id"] for r in rows]


async def claim_due(table: type[Table], now: dt.datetime, limit: int, *, lease: dt.timedelta,
                    ids: Sequence[int] | None = None, count_attempt: bool = True) -> list[dict[str, Any]]:
    """Claim up to `limit` due rows of `table` (only among `ids` when given), oldest due first:
    state `sending`, `next_attempt_at` = now + `lease` (when the lease ends), and one more attempt
    unless `count_attempt` is False (the webhook outbox counts at record). -> the claimed rows (JSON
    loaded), in due order; none that another claimer got."""
    if ids is not None and not ids:
        return []
    t = cast(OutboxTable, table)
    where = _due(table, now)
    if ids is not None:
        where = where & t.id.is_in(list(ids))
    values: dict[Column | str, Any] = {t.state: SENDING, t.next_attempt_at: now + lease}
    if count_attempt:
        values[t.attempts] = t.attempts + 1
    async with engine.write():
        pick = table.select(t.id).where(where).order_by(t.next_attempt_at).order_by(t.id).limit(limit)
        if engine.current_engine().engine_type == "postgres":
            pick = pick.lock_rows("UPDATE", skip_locked=True)  # concurrent claimers pick different rows
        due = await pick
        if not due:
            return []
        order = {d["id"]: i for i, d in enumerate(due)}
        claimed = await table.update(values).where(where & t.id.is_in(list(order))).returning(t.id)
        if not claimed:
            return []
        rows = await table.select().where(t.id.is_in([c["id"] for c in claimed])).output(load_json=True)
    return sorted(rows, key=lambda r: order[r["id"]])


async def release_stuck(table: type[Table], now: dt.datetime, *, max_attempts: int) -> int:
    """Rows whose worker died mid-send (`sending`, lease over): due again now, or dead when out of
    attempts. -> how many moved."""
    t = cast(OutboxTable, table)
    stuck = (t.state == SENDING) & (t.next_attempt_at < now)
    async with engine.write():
        dead = await table.update({t.state: DEAD, t.last_error: "the sender stopped while sending"}).where(
            stuck & (t.attempts >= max_attempts)).returning(t.id)
        again = await table.update({t.state: PENDING, t.next_attempt_at: now}).where(stuck).returning(t.id)
    return len(dead) + len(again)
