"""Reads of analytics counts."""

from __future__ import annotations

from piccolo.query.functions.aggregate import Sum

from orderhub.db import engine
from orderhub.db.analytics.tables import AnalyticsEvent


async def counts(merchant_id: int, kinds: tuple[str, ...], order_id: int | None = None) -> dict[str, int]:
    """How many events of each kind a merchant has (each row counts its `count`); by `order_id`
    only the kinds kept per order (clicks: page views and impressions are counted without it)."""
    async with engine.read():
        query = AnalyticsEvent.select(AnalyticsEvent.kind, Sum(AnalyticsEvent.count, alias="n")).where(
            (AnalyticsEvent.merchant == merchant_id) & AnalyticsEvent.kind.is_in(list(kinds))
        )
        if order_id is not None:
            query = query.where(AnalyticsEvent.order == order_id)
        rows = await query.group_by(AnalyticsEvent.kind)
    out = {k: 0 for k in kinds}
    for row in rows:
        out[row["kind"]] += int(row["n"] or 0)
    return out
