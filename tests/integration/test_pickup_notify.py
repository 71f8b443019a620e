"""Every pickup change the merchant should hear about lands in the shared webhook outbox."""

import datetime as dt

from orderhub.db import engine
from orderhub.db.outbox import services as outbox
from orderhub.db.outbox.tables import WebhookDelivery
from orderhub.db.pickup import services
from orderhub.db.pickup.rules import Clerk
from orderhub.db.pickup.tables import Pickup
from tests.pickup_support import make_ready, post_form


async def _events():
    async with engine.read():
        rows = await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.payload,
                                            WebhookDelivery.order_id).output(load_json=True).order_by(
            WebhookDelivery.id)
    return rows


async def test_ready_arrived_picked_up_reminder_expired_are_notified(client, merchants, orders, clock):
    merchant = merchants["yamakaze"][0]
    await outbox.add_endpoint(merchant.id, "https://shop.example.jp/hooks", now=clock())
    await make_ready(client, merchants["yamakaze"][1])
    await make_ready(client, merchants["yamakaze"][1])  # a repeat notifies nothing more
    t = orders["jp_pickup"].token
    await post_form(client, f"/o/{t}/pickup", f"/o/{t}/pickup/here", {"bay": "P1", "car": "青いミニ"})
    async with engine.read():
        p = await Pickup.select().first()
    await services.hand_over(Clerk(merchant_id=merchant.id, store_code="shibuya", email="c@example.jp"), p["id"],
                             now=clock())
    rows = await _events()
    assert [r["event"] for r in rows] == ["pickup.ready", "pickup.arrived", "pickup.picked_up"]
    assert rows[0]["payload"]["number"] == "YK-100235" and rows[0]["order_id"] == orders["jp_pickup"].id
    assert rows[1]["payload"]["bay"] == "P1" and rows[2]["payload"]["by"] == "c@example.jp"


async def test_reminder_and_expiry_are_notified(client, merchants, orders, clock):
    merchant = merchants["yamakaze"][0]
    await outbox.add_endpoint(merchant.id, "https://shop.example.jp/hooks", now=clock())
    await make_ready(client, merchants["yamakaze"][1])
    await services.run_deadlines(now=dt.datetime(2026, 11, 29, 0, 0, tzinfo=dt.UTC))
    await services.run_deadlines(now=dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC))
    assert [r["event"] for r in await _events()] == ["pickup.ready", "pickup.reminder", "pickup.expired"]
