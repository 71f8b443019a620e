"""Recording what shoppers do on the hub; cheap inserts, never in the way of a page."""

from __future__ import annotations

import datetime as dt

from piccolo.table import Table

from orderhub.db import engine
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


class Buffer:
    """Hub views and impressions collected in memory and written in one transaction a second
    (a write per page view would serialise SQLite writers). A crash loses at most that second.
    Other per-view rows (a tracking view) are kept the same way (`keep`)."""

    def __init__(self, max_rows: int = 500) -> None:
        self.rows: list[Table] = []
        self.max_rows = max_rows

    def keep(self, row: Table) -> None:
        """Any row to insert with the next flush."""
        self.rows.append(row)
        if len(self.rows) > 20 * self.max_rows:
            del self.rows[: len(self.rows) - 20 * self.max_rows]

    def add(self, merchant_id: int, kind: str, *, now: dt.datetime, order_id: int | None = None,
            section: str = "", product_ids: list[str] | tuple[str, ...] = ("",)) -> None:
        self.rows.extend(
            AnalyticsEvent(merchant=merchant_id, order=order_id, kind=kind, section=section, product_id=pid,
                           occurred_at=now)
            for pid in product_ids
        )
        if len(self.rows) > 20 * self.max_rows:  # the flusher is not keeping up: drop the oldest
            del self.rows[: len(self.rows) - 20 * self.max_rows]

    async def flush(self) -> int:
        written = 0
        while self.rows:
            batch, self.rows = self.rows[: self.max_rows], self.rows[self.max_rows :]
            by_table: dict[type[Table], list[Table]] = {}
            for row in batch:
                by_table.setdefault(type(row), []).append(row)
            async with engine.write():
                for table, rows in by_table.items():
                    await table.insert(*rows)
            written += len(batch)
        return written
