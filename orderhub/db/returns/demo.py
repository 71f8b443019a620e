"""Demo step: the demo order in state "returned" goes through request → approve → receive →
refund with this area's services (a shopper's drop-off return of everything returnable)."""

from __future__ import annotations

import datetime as dt

from orderhub.db import demo_context as demo
from orderhub.db.returns import queries, rules, services


async def returned_orders(ctx: demo.DemoContext) -> None:
    for order in ctx.orders:
        if order.state != "returned" or not order.order_id:
            continue
        facts = await queries.order_facts(order.order_id)
        # asked for the day after delivery (or the promised date when tracking has no delivery), and
        # in the demo (delivered nearly ten days ago, db/shipping/demo.py) six days ago, so that
        # approval, reception and refund are all behind us when the demo runs
        start = facts.promised_date or ctx.now.date()
        now = max(ctx.now - dt.timedelta(days=6),
                  dt.datetime.combine(start, dt.time(3), tzinfo=dt.UTC) + dt.timedelta(days=1))
        items = {}
        for line in facts.money.lines:
            e = rules.eligibility(line, policy=facts.policy, tags=facts.tags, promised_date=facts.promised_date,
                                  now=now, timezone=facts.timezone)
            if e.returnable:
                items[line.line_id] = e.returnable
        if not items:
            continue
        data = {"items": items, "reason": "too_small", "comment": "", "resolution": rules.REFUND,
                "method": rules.DROP_OFF}
        return_id = await services.submit(order.order_id, data, idempotency_key=f"demo-{order.external_id}-return",
                                          now=now)
        view = await queries.return_for_order(order.order_id, return_id)
        for action, hours in (("approve", 1), ("receive", 48), ("refund", 50)):
            if rules.result_of(action) in view.reached:
                continue
            await services.transition(facts.merchant_id, return_id, action, now=now + dt.timedelta(hours=hours))
