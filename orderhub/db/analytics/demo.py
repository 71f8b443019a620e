"""Demo step: four weeks of hub visits, cross-sell impressions and clicks for each demo merchant
(through the analytics buffer, as the hub writes them), so the merchant dashboard shows something."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from orderhub.db import demo_context as demo
from orderhub.db import engine
from orderhub.db.analytics import rules
from orderhub.db.analytics.services import Buffer
from orderhub.db.analytics.tables import AnalyticsEvent

if TYPE_CHECKING:
    from orderhub.db.merchants.tables import Merchant

DAYS = 28
#: average page views per day and section
SECTION_RATES = {"confirmation": 9, "tracking": 14, "pickup": 3, "returns": 2, "feedback": 2}


async def dashboard_activity(ctx: demo.DemoContext) -> None:
    rng = random.Random(8)
    buffer = Buffer()
    for slug, merchant in ctx.merchants.items():
        async with engine.read():
            seeded = await AnalyticsEvent.exists().where(AnalyticsEvent.merchant == merchant.id)
        if seeded:
            continue
        order_ids: list[int | None] = [o.order_id for o in ctx.orders if o.merchant == slug and o.order_id] or [None]
        products = _related(merchant, slug)
        for back in range(DAYS, 0, -1):
            day = ctx.now - dt.timedelta(days=back)
            trend = 0.6 + 0.8 * (DAYS - back) / DAYS  # busier lately
            for section, rate in SECTION_RATES.items():
                for _ in range(max(0, int(rng.gauss(rate * trend, rate / 3)))):
                    at = day.replace(hour=rng.randrange(0, 24), minute=rng.randrange(60))
                    buffer.add(merchant.id, rules.VISIT, now=at, order_id=rng.choice(order_ids), section=section)
                    if section == "confirmation" and products:
                        shown = rng.sample(products, min(4, len(products)))
                        buffer.add(merchant.id, rules.IMPRESSION, now=at, order_id=None, section=section,
                                   product_ids=shown)
                        if rng.random() < 0.18:
                            buffer.add(merchant.id, rules.CLICK, now=at + dt.timedelta(seconds=40),
                                       section=section, product_ids=[rng.choice(shown)])
    await buffer.flush()


def _related(merchant: Merchant, slug: str) -> list[str]:
    catalog = "catalog/yamakaze_products.json" if slug == "yamakaze" else "acme_products.json"
    try:
        return [p["id"] for p in demo.fixture(catalog)][:8]
    except (OSError, KeyError, TypeError):
        return []
