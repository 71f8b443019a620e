"""Recording what shoppers do on the hub; cheap inserts, never in the way of a page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

from orderhub.db import engine
from orderhub.db.analytics.rules import COUNTED
from orderhub.db.analytics.tables import AnalyticsEvent


async def record(merchant_id: int, kind: str, *, now: dt.datetime, order_id: int | None = None,
                 section: str = "", product_ids: list[str] | tuple[str, ...] = ("",)) -> None:
    rows = [
        AnalyticsEvent(merchant=merchant_id, order=order_id, kind=kind, section=section,
                       product_id=pid, occurred_at=now)
        for pid in product_ids
    ]
    if not rows:
        return
    async with engine.write():
        await AnalyticsEvent.insert(*rows)


@dataclass(frozen=True)
class Pending:
    """A row waiting for the next flush: its table and its column values."""

    table: type[Table]
    values: dict[str, Any]


class Buffer:
    """Hub views and impressions collected in memory and written in one transaction a second
    (a write per page view would serialise SQLite writers). A crash loses at most that second.
    Page views and impressions (`rules.COUNTED`) go in as counts: one row per merchant, kind,
    section, product and UTC hour in a flush, its `count` the views it stands for, no order kept
    (the dashboard sums counts per hour; a row per view was most of a busy hub's database writes).
    Other per-view rows (a tracking view) are kept the same way (`keep`). Rows wait as plain values
    and go in with one prepared INSERT per table (`engine.insert_many`; building table objects per
    view costs more than the rest of a cached page)."""

    def __init__(self, max_rows: int = 500, max_attempts: int = 10) -> None:
        self.rows: list[Pending] = []
        self.max_rows = max_rows
        #: flushes a batch may fail (a locked database) before it is given up, with a log line
        self.max_attempts = max_attempts
        self.failures = 0
        self.dropped = 0

    def keep(self, table: type[Table], **values: Any) -> None:
        """A row of `table` to insert with the next flush."""
        self.rows.append(Pending(table, values))
        if len(self.rows) > 20 * self.max_rows:  # the flusher is not keeping up: drop the oldest
            del self.rows[: len(self.rows) - 20 * self.max_rows]

    def add(self, merchant_id: int, kind: str, *, now: dt.datetime, order_id: int | None = None,
            section: str = "", product_ids: list[str] | tuple[str, ...] = ("",)) -> None:
        for pid in product_ids:
            self.keep(AnalyticsEvent, merchant=merchant_id, order=order_id, kind=kind, section=section,
                      product_id=pid, count=1, occurred_at=now)

    async def flush(self) -> int:
        """Writes what is waiting, a batch per transaction. A batch whose write fails (the database
        is locked past its busy timeout) stays first in line for the next flush and the error is
        raised; after `max_attempts` failed flushes in a row it is dropped (counted in `dropped`), so
        a database that stays broken cannot grow the buffer or stop the flusher for ever."""
        written = 0
        while self.rows:
            batch = self.rows[: self.max_rows]
            groups: dict[tuple[type[Table], tuple[str, ...]], list[Pending]] = {}
            for row in counted(batch):
                groups.setdefault((row.table, tuple(row.values)), []).append(row)
            try:
                async with engine.write():
                    for (table, columns), rows in groups.items():
                        await engine.insert_many(table._meta.tablename, columns,
                                                 [tuple(r.values.values()) for r in rows])
            except Exception:
                self.failures += 1
                if self.failures >= self.max_attempts:
                    del self.rows[: len(batch)]
                    self.dropped += len(batch)
                    self.failures = 0
                raise
            self.failures = 0
            del self.rows[: len(batch)]
            written += len(batch)
        return written


def counted(rows: list[Pending]) -> list[Pending]:
    """`rows` with the `rules.COUNTED` events of the same merchant, kind, section, product and UTC
    hour as one row (the first one's time, the sum of their counts, no order); others as they are."""
    out: list[Pending] = []
    kept: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        values = row.values
        if row.table is not AnalyticsEvent or values["kind"] not in COUNTED:
            out.append(row)
            continue
        at: dt.datetime = values["occurred_at"]
        key = (values["merchant"], values["kind"], values["section"], values["product_id"],
               at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0))
        if key in kept:
            kept[key]["count"] += values.get("count", 1)
        else:
            kept[key] = {**values, "order": None, "count": values.get("count", 1)}
            out.append(Pending(AnalyticsEvent, kept[key]))
    return out
