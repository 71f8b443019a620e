"""Reads of analytics counts."""

from __future__ import annotations

from orderhub.db import engine
from orderhub.db.analytics.tables import AnalyticsEvent


async def counts(merchant_id: int, kinds: tuple[str, ...], order_id: int | None = None) -> dict[str, int]:
    async with engine.read():
        query = AnalyticsEvent.select(AnalyticsEvent.kind).where(
            (AnalyticsEvent.merchant == merchant_id) & AnalyticsEvent.kind.is_in(list(kinds))
        )
        if order_id is not None:
            query = query.where(AnalyticsEvent.order == order_id)
        rows = await query
    out = {k: 0 for k in kinds}
    for row in rows:
        out[row["kind"]] += 1
    return out
