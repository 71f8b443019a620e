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


async def test_scale_copies_the_demo_orders_with_their_whole_history(db, settings, clock, client):
    """`orderhub demo --scale N`: N orders in the demo's shape, each a working hub of its own."""
    from orderhub.db.shipping.tables import Shipment, TrackingEvent
    from orderhub.db.tokens import hub_token
    from orderhub.demo import scale

    await demo.create(settings, clock())
    async with engine.read():
        before = await Order.count()
        events_before = await TrackingEvent.count()
    added = await scale.scale(before * 3, settings.key_for("hub-token"), clock())
    assert added == before * 2
    async with engine.read():
        assert await Order.count() == before * 3
        # every copy of a shipped order has its shipments and their events, with tracking numbers of its own
        assert await TrackingEvent.count() == events_before * 3
        numbers = [r["tracking_number"] for r in await Shipment.select(Shipment.tracking_number)]
        assert len(numbers) == len(set(numbers))
        copy = await Order.select().where(Order.external_id == "jp-1001-x" + str(before)).first()
        source = await Order.select().where(Order.external_id == "jp-1001").first()
    assert copy["fulfillment_status"] == source["fulfillment_status"] == "delivered"
    assert copy["placed_at"] < source["placed_at"]  # finished orders spread back in time
    page = await client.get(f"/o/{hub_token(settings.key_for('hub-token'), copy['key'], 1)}/tracking?lang=en")
    assert page.status_code == 200 and "Delivered" in page.text
    assert await scale.scale(before * 3, settings.key_for("hub-token"), clock()) == 0  # already there
