"""`orderhub demo` places every order relative to the clock it is given: on any day the demo shows the
same picture (placed today, shipped with scans of the last days, delivered in the past, a pickup ready
with a deadline ahead, a return gone through), with nothing that happened in the future and no
delivery estimate before its order date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from piccolo.columns import Timestamptz

from orderhub import demo
from orderhub.db import engine
from orderhub.db.orders.tables import Order
from orderhub.db.piccolo_conf import APP_REGISTRY
from orderhub.db.pickup.tables import Pickup
from orderhub.db.shipping.tables import Shipment, TrackingEvent
from tests.conftest import Clock, _truncate

#: columns that say what is planned, not what happened: they may lie ahead
AHEAD = {"expires_at", "promised_date", "first_estimate", "estimate", "estimated_delivery", "deadline", "eta",
         "next_attempt_at", "polled_at"}
#: two days far apart, at different times of day (Tokyo 09:05 in March; New York 23:40 in August)
CLOCKS = (dt.datetime(2027, 3, 8, 0, 5, tzinfo=dt.UTC), dt.datetime(2028, 8, 17, 3, 40, tzinfo=dt.UTC))


async def _happened_after(now: dt.datetime) -> list[str]:
    late = []
    async with engine.read():
        for app in APP_REGISTRY.app_configs.values():
            for table in app.table_classes:
                for column in table._meta.columns:
                    if not isinstance(column, Timestamptz) or column._meta.name in AHEAD:
                        continue
                    rows = await table.select(column).where(column > now)
                    late += [f"{table._meta.tablename}.{column._meta.name}={r[column._meta.name]}" for r in rows]
    return late


async def _picture(now: dt.datetime) -> dict[str, tuple]:
    """Per demo order, what a shopper sees, measured from `now` (hours, days)."""
    out = {}
    async with engine.read():
        orders = await Order.select(Order.id, Order.external_id, Order.placed_at, Order.fulfillment_status,
                                    Order.promised_date, Order.merchant.timezone)
        for o in orders:
            tz = ZoneInfo(o["merchant.timezone"])
            placed_day = o["placed_at"].astimezone(tz).date()
            today = now.astimezone(tz).date()
            ships = await Shipment.select(Shipment.status, Shipment.estimate, Shipment.shipped_at,
                                          Shipment.delivered_at).where(Shipment.order == o["id"])
            events = await TrackingEvent.select(TrackingEvent.occurred_at, TrackingEvent.estimated_delivery).where(
                TrackingEvent.shipment.order == o["id"]).order_by(TrackingEvent.occurred_at)
            pickup = await Pickup.select(Pickup.state, Pickup.ready_at, Pickup.deadline).where(
                Pickup.order == o["id"]).first()
            for s in ships:
                assert s["estimate"] is None or s["estimate"] >= placed_day, (o["external_id"], s)
                assert s["shipped_at"] is None or s["shipped_at"] >= o["placed_at"], (o["external_id"], s)
            for e in events:
                assert e["occurred_at"] >= o["placed_at"], (o["external_id"], e)
                assert e["estimated_delivery"] is None or e["estimated_delivery"] >= placed_day, (o["external_id"], e)
            assert o["promised_date"] is None or o["promised_date"] >= placed_day, o
            out[o["external_id"]] = (
                o["fulfillment_status"], (today - placed_day).days,
                tuple((s["status"], s["estimate"] and (s["estimate"] - today).days,
                       s["delivered_at"] and (now - s["delivered_at"]).days) for s in ships),
                tuple(round((now - e["occurred_at"]) / dt.timedelta(hours=1)) for e in events),
                pickup and (pickup["state"], round((now - pickup["ready_at"]) / dt.timedelta(hours=1)),
                            pickup["deadline"] > now),
            )
    return out


async def test_the_demo_looks_the_same_on_any_day(db, settings):
    pictures = []
    for at in CLOCKS:
        await _truncate()
        ctx = await demo.create(settings, Clock(at)())
        assert await _happened_after(at) == []
        pictures.append(await _picture(at))
        placed = {o.external_id for o in ctx.orders if o.state == "placed"}
        assert all(pictures[-1][external_id][1] == 0 for external_id in placed)  # placed today
    first, second = pictures
    assert first.keys() == second.keys()
    for external_id in first:
        # the same state, age, estimates and scan times (a day's difference at most where a time
        # zone's midnight falls between the two clocks' hours)
        a, b = first[external_id], second[external_id]
        assert (a[0], a[3], a[4]) == (b[0], b[3], b[4]), external_id
        assert [s[0] for s in a[2]] == [s[0] for s in b[2]], external_id
        assert abs(a[1] - b[1]) <= 1, external_id
        for sa, sb in zip(a[2], b[2], strict=True):
            assert sa[1] is None or abs(sa[1] - sb[1]) <= 1, external_id
    states = {first[o][0] for o in first}
    assert {"unfulfilled", "shipped", "delivered", "ready_for_pickup", "returned"} <= states
