"""`orderhub demo` (what `make run` shows): every demo order in its state through the areas' services,
the sign-ins it prints work, and running it again changes nothing."""

from __future__ import annotations

from orderhub import demo
from orderhub.db import engine
from orderhub.db.orders.tables import Order
from orderhub.db.returns.tables import ReturnRequest
from orderhub.site.auth import authenticate


async def _statuses() -> dict[str, str]:
    async with engine.read():
        rows = await Order.select(Order.number, Order.fulfillment_status)
    return {r["number"]: r["fulfillment_status"] for r in rows}


async def test_the_demo_runs_twice_and_leaves_every_order_in_its_state(db, settings, clock):
    ctx = await demo.create(settings, clock())
    first = await _statuses()
    assert {o.state for o in ctx.orders} >= {"placed", "shipped", "out_for_delivery", "delivered", "delayed",
                                             "ready_for_pickup", "returned"}
    assert first["YK-100228"] == "returned"  # delivered by the shipping step, then returned and refunded
    async with engine.read():
        refunded = await ReturnRequest.count().where(ReturnRequest.status == "refunded")
    assert refunded == 1
    for path, email, password in ctx.accounts:
        user = await authenticate(email, password)
        assert user is not None and user["role"] == ("owner" if path.startswith("/admin") else "staff"), email
    await demo.create(settings, clock())  # `make run` again
    assert await _statuses() == first
    async with engine.read():
        assert await ReturnRequest.count().where(ReturnRequest.status == "refunded") == 1
