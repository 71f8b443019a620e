"""Demo: one more delivered order per merchant (jp-1000, us-1040 in demo.DEMO_ORDERS, with their own
shoppers) whose return requests wait in the merchant's queue in different states (requested,
approved, received), made through the returns services after shipping delivered them."""

from __future__ import annotations

import datetime as dt

from orderhub.db import demo_context as demo
from orderhub.db.errors import Conflict, ValidationFailed
from orderhub.db.returns import services

#: demo orders -> return requests left in the queue: (items, reason, resolution, then actions)
QUEUED_RETURNS = {
    "jp-1000": [({"L1": 1}, "other", "refund", ()), ({"L2": 1}, "too_large", "store_credit", ("approve",)),
                ({"L2": 1}, "changed_mind", "refund", ("approve", "receive"))],
    "us-1040": [({"1": 1}, "other", "store_credit", ()), ({"2": 2}, "changed_mind", "refund", ("approve",))],
}


async def queued_returns(ctx: demo.DemoContext) -> None:
    for order in ctx.orders:
        for i, (items, reason, resolution, actions) in enumerate(QUEUED_RETURNS.get(order.external_id, [])):
            if not order.order_id:
                continue
            when = ctx.now - dt.timedelta(hours=20 - 5 * i)
            data = {"items": items, "reason": reason, "resolution": resolution, "method": "drop_off",
                    "comment": "サイズが合いませんでした" if order.merchant == "yamakaze" else "Not what I expected"}
            try:
                return_id = await services.submit(order.order_id, data, idempotency_key=f"demo-queue-{order.external_id}-{i}",
                                                  now=when)
            except ValidationFailed:
                continue  # the order's lines are not returnable in this demo's timing
            for hours, action in enumerate(actions, start=1):
                try:
                    await services.transition(ctx.merchants[order.merchant].id, return_id, action,
                                              now=when + dt.timedelta(hours=hours))
                except Conflict:
                    pass
