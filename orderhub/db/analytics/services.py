"""Recording what shoppers do on the hub; cheap inserts, never in the way of a page."""

from __future__ import annotations

import datetime as dt

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
