"""PUT /api/v1/orders/{external_id}/pickup: the storefront/POS side of the pickup state machine."""

import datetime as dt

from orderhub.db import engine
from orderhub.db.orders.tables import Order
from orderhub.db.pickup import services
from orderhub.db.pickup.rules import Clerk
from orderhub.db.pickup.tables import Pickup, PickupEvent
from tests.conftest import bearer
from tests.pickup_support import make_ready

URL = "/api/v1/orders/jp_pickup/pickup"


async def _order_status(order_id):
    async with engine.read():
        return (await Order.select(Order.fulfillment_status).where(Order.id == order_id).first())["fulfillment_status"]


async def test_ready_is_stored_and_repeatable(client, merchants, orders):
    key = merchants["yamakaze"][1]
    first = await make_ready(client, key)
    assert first.status_code == 200
    assert first.json() == {"status": "ready", "ready_at": "2026-11-22T02:00:00+00:00",
                            "pickup_deadline": "2026-11-29T14:59:00+00:00", "store": "shibuya", "picked_up_at": None}
    again = await make_ready(client, key)
    assert again.json() == first.json()
    async with engine.read():
        events = await PickupEvent.count()
    assert events == 1  # the repeat changed nothing
    assert await _order_status(orders["jp_pickup"].id) == "ready_for_pickup"


async def test_ready_without_deadline_uses_the_store_hold(client, merchants, orders):
    r = await client.put(URL, json={"status": "ready"}, headers=bearer(merchants["yamakaze"][1]))
    assert r.status_code == 200
    # clock 2026-11-22T03:00Z = 12:00 Tokyo; shibuya holds 7 days -> 29th 23:59 JST
    assert r.json()["pickup_deadline"] == "2026-11-29T14:59:00+00:00"


async def test_preparing_then_cancelled(client, merchants, orders):
    h = bearer(merchants["yamakaze"][1])
    assert (await client.put(URL, json={"status": "preparing"}, headers=h)).json()["status"] == "preparing"
    assert await _order_status(orders["jp_pickup"].id) == "unfulfilled"
    r = await client.put(URL, json={"status": "cancelled"}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert await _order_status(orders["jp_pickup"].id) == "cancelled"
    back = await client.put(URL, json={"status": "ready"}, headers=h)
    assert back.status_code == 409 and "cancelled" in back.json()["errors"][0]["message"]


async def test_missing_and_wrong_key(client, merchants, orders):
    assert (await client.put(URL, json={"status": "ready"})).status_code == 401
    assert (await client.put(URL, json={"status": "ready"}, headers=bearer("nope"))).status_code == 401


async def test_another_merchants_order_is_not_found(client, merchants, orders):
    r = await client.put(URL, json={"status": "ready"}, headers=bearer(merchants["acme"][1]))
    assert r.status_code == 404
    async with engine.read():
        assert await Pickup.count() == 0


async def test_shipped_order_conflicts(client, merchants, orders):
    r = await client.put("/api/v1/orders/jp_ship/pickup", json={"status": "ready"},
                         headers=bearer(merchants["yamakaze"][1]))
    assert r.status_code == 409


async def test_bad_bodies_are_422_with_fields(client, merchants, orders):
    h = bearer(merchants["yamakaze"][1])
    cases = [
        ({"status": "picked_up"}, "status"),
        ({"status": "arrived"}, "status"),
        ({"status": "ready", "ready_at": "yesterday"}, "ready_at"),
        ({"status": "ready", "ready_at": "2026-11-22T02:00:00Z", "pickup_deadline": "2026-11-22T01:00:00Z"},
         "pickup_deadline"),
        ({"status": "preparing", "pickup_deadline": "2026-11-29T14:59:00Z"}, "pickup_deadline"),
        ([], "body"),
    ]
    for body, field in cases:
        r = await client.put(URL, json=body, headers=h)
        assert r.status_code == 422, body
        assert field in [e["field"] for e in r.json()["errors"]], r.json()
    r = await client.put(URL, content=b"{not json", headers=h)
    assert r.status_code == 422
    r = await client.put(URL, content=b'{"status": "' + b"x" * 3_000_000 + b'"}', headers=h)
    assert r.status_code == 413
    async with engine.read():
        assert await Pickup.count() == 0


async def test_the_api_cannot_hand_over_or_move_a_picked_up_order(client, merchants, orders, clock):
    h = bearer(merchants["yamakaze"][1])
    await make_ready(client, merchants["yamakaze"][1])
    async with engine.read():
        pickup = await Pickup.select().first()
    await services.hand_over(Clerk(merchant_id=pickup["merchant"], store_code="shibuya", email="c@x.jp"),
                             pickup["id"], now=clock())
    for status in ("ready", "preparing", "cancelled"):
        r = await client.put(URL, json={"status": status}, headers=h)
        assert r.status_code == 409 and r.json()["errors"][0]["message"] == "already picked up"


async def test_expired_can_be_made_ready_again(client, merchants, orders, clock):
    key = merchants["yamakaze"][1]
    await make_ready(client, key)
    clock.now = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)
    result = await services.run_deadlines(now=clock())
    assert result.expired == [orders["jp_pickup"].id]
    r = await client.put(URL, json={"status": "ready", "pickup_deadline": "2026-12-03T14:59:00Z"},
                         headers=bearer(key))
    assert r.status_code == 200 and r.json()["status"] == "ready"


async def test_a_body_without_a_status_is_a_422_next_to_the_field(client, merchants, orders):
    h = bearer(merchants["yamakaze"][1])
    for body in ({}, {"ready_at": None}):
        r = await client.put(URL, json=body, headers=h)
        assert r.status_code == 422, r.text
        assert "status" in [e.get("field") for e in r.json()["errors"]]
    assert (await client.get(f"/o/{orders['jp_pickup'].token}/pickup?lang=en")).status_code == 200
