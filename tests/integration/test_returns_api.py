"""The merchant's returns API (docs/api.md), the state machine over HTTP, and races."""

from __future__ import annotations

import asyncio

from tests.conftest import bearer
from tests.returns_support import fulfil, walk


async def _return(client, orders, name="jp_ship", items=None, **kw):
    r, *_ = await walk(client, f"/o/{orders[name].token}/returns", items=items or {"L1": 1}, **kw)
    assert r.status_code == 303, r.text[:500]
    return int(r.headers["location"].rsplit("/", 1)[1])


async def test_list_approve_receive_refund_and_order_returned(client, orders, merchants, clock):
    key = merchants["yamakaze"][1]
    rid = await _return(client, orders, items={"L1": 1, "L2": 2}, reason="other")  # "other" waits for review
    r = await client.get("/api/v1/returns?status=requested", headers=bearer(key))
    assert r.status_code == 200
    [ret] = r.json()["returns"]
    assert ret["id"] == rid and ret["refund_total"] == "15360" and ret["status"] == "requested"
    assert (await client.post(f"/api/v1/returns/{rid}/refund", headers=bearer(key))).status_code == 409
    r = await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(key), json={"note": "ok"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    again = await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(key), json={"note": "ok"})
    assert again.status_code == 200 and again.json() == r.json()  # idempotent
    clock.advance(days=2)
    r = await client.post(f"/api/v1/returns/{rid}/receive", headers=bearer(key))
    assert r.status_code == 200 and all(i["reception"] == "received" for i in r.json()["items"])
    r = await client.post(f"/api/v1/returns/{rid}/refund", headers=bearer(key))
    assert r.status_code == 200 and r.json()["status"] == "refunded"
    assert [t["status"] for t in r.json()["timeline"]] == ["requested", "approved", "received", "refunded"]
    assert (await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(key))).status_code == 409
    # L3 is final sale and can never come back: everything else did, so the order is returned
    from orderhub.db import engine
    from orderhub.db.orders.tables import Order, OrderLine

    async with engine.read():
        lines = await OrderLine.select(OrderLine.line_id, OrderLine.requested_quantity, OrderLine.received_quantity
                                       ).where(OrderLine.order == orders["jp_ship"].id).order_by(OrderLine.position)
        status = (await Order.select(Order.fulfillment_status).where(Order.id == orders["jp_ship"].id).first())
    assert [(line["requested_quantity"], line["received_quantity"]) for line in lines] == [(1, 1), (2, 2), (0, 0)]
    assert status["fulfillment_status"] == "returned"
    page = await client.get(f"/o/{orders['jp_ship'].token}/returns/{rid}?lang=en")
    assert "Refunded" in page.text and "Your refund has been issued" in page.text
    # the refund reached the order's payment: part of the order refunded, the same amount in the API
    payment = (await client.get("/api/v1/orders/jp_ship", headers=bearer(key))).json()["payment"]
    assert payment["status"] == "partially_refunded"
    async with engine.read():
        refunded = await Order.select(Order.refunded_minor).where(Order.id == orders["jp_ship"].id).first()
    assert refunded["refunded_minor"] == 15360


async def test_whole_order_refund_marks_order_returned(client, orders, merchants):
    key = merchants["acme"][1]
    rid = await _return(client, orders, "us_ship", items={"1": 1, "2": 2}, method="drop_off")
    for action in ("receive", "refund"):
        r = await client.post(f"/api/v1/returns/{rid}/{action}", headers=bearer(key))
        assert r.status_code == 200, r.text
    from orderhub.db import engine
    from orderhub.db.orders.tables import Order

    async with engine.read():
        row = await Order.select(Order.fulfillment_status).where(Order.id == orders["us_ship"].id).first()
    assert row["fulfillment_status"] == "returned"


async def test_reject_frees_the_quantity(client, orders, merchants):
    key = merchants["yamakaze"][1]
    rid = await _return(client, orders, reason="other")
    r = await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(key), json={"note": "<script>x</script>"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    page = await client.get(f"/o/{orders['jp_ship'].token}/returns/{rid}?lang=en")
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text and "<script>x" not in page.text
    await _return(client, orders)  # L1 can be asked back again


async def test_auth_other_merchant_and_bad_input(client, orders, merchants):
    rid = await _return(client, orders)
    assert (await client.get("/api/v1/returns")).status_code == 401
    assert (await client.get("/api/v1/returns", headers=bearer("nope"))).status_code == 401
    acme = merchants["acme"][1]
    assert (await client.get("/api/v1/returns", headers=bearer(acme))).json()["returns"] == []
    assert (await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(acme))).status_code == 404
    yk = merchants["yamakaze"][1]
    assert (await client.get("/api/v1/returns?status=bogus", headers=bearer(yk))).status_code == 422
    r = await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(yk), content=b"{not json")
    assert r.status_code == 422
    r = await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(yk), json={"note": "x" * 5000})
    assert r.status_code == 422
    assert (await client.post("/api/v1/returns/999999/approve", headers=bearer(yk))).status_code == 404


async def test_parallel_submissions_never_return_more_than_bought(client, orders, clock):
    from orderhub.db.errors import ValidationFailed
    from orderhub.db.returns import queries, services

    order_id = orders["jp_ship"].id
    await fulfil(order_id)
    data = {"items": {"L2": 1}, "reason": "too_small", "comment": "", "resolution": "refund", "method": "drop_off"}

    async def one(i):
        try:
            return await services.submit(order_id, data, idempotency_key=f"key-{i:04d}-parallel-x", now=clock())
        except ValidationFailed:
            return None

    results = await asyncio.gather(*(one(i) for i in range(100)))
    made = [r for r in results if r]
    assert len(made) == 2  # the line has 2 units
    facts = await queries.order_facts(order_id)
    assert facts.line("L2").requested_quantity == 2


async def test_duplicate_submits_in_parallel_make_one_return(client, orders, clock):
    from orderhub.db.returns import queries, services

    order_id = orders["jp_ship"].id
    await fulfil(order_id)
    data = {"items": {"L1": 1}, "reason": "too_small", "comment": "", "resolution": "refund", "method": "drop_off"}
    ids = await asyncio.gather(*(services.submit(order_id, data, idempotency_key="same-key-0123456789", now=clock())
                                 for _ in range(20)))
    assert len(set(ids)) == 1
    assert len(await queries.returns_for_order(order_id)) == 1


async def test_return_document_read_model(client, orders):
    from orderhub.db.returns import queries

    rid = await _return(client, orders, items={"L1": 1, "L2": 1}, method="mail")
    doc = await queries.return_document(rid)
    assert doc.number.startswith("RMA-") and doc.method == "mail"
    assert [(line.quantity, line.amount_minor) for line in doc.lines] == [(1, -13200), (1, -1080)]
    assert {b.rate: (b.amount_minor, b.tax_minor) for b in doc.by_rate} == {"0.10": (-13200, -1200),
                                                                                      "0.08": (-1080, -80)}
    assert doc.total_minor == -(13200 + 1080 - 550)


async def test_demo_step_puts_the_returned_order_through_the_services(orders, clock):
    from types import SimpleNamespace

    from orderhub.db import engine
    from orderhub.db.orders.tables import Order
    from orderhub.db.returns import demo, queries

    await fulfil(orders["jp_ship"].id)  # the demo delivers its "returned" orders through shipping first
    ctx = SimpleNamespace(now=clock(), orders=[SimpleNamespace(state="returned", order_id=orders["jp_ship"].id,
                                                               external_id="jp_ship")])
    await demo.returned_orders(ctx)
    await demo.returned_orders(ctx)  # running the demo again changes nothing
    [view] = await queries.returns_for_order(orders["jp_ship"].id)
    assert view.status == "refunded"
    async with engine.read():
        row = await Order.select(Order.fulfillment_status).where(Order.id == orders["jp_ship"].id).first()
    assert row["fulfillment_status"] == "returned"


async def test_every_state_change_notifies_the_merchant(client, orders, merchants, clock):
    from orderhub.db import engine
    from orderhub.db.outbox import services as outbox
    from orderhub.db.outbox.tables import WebhookDelivery

    merchant = merchants["yamakaze"][0]
    await outbox.add_endpoint(merchant.id, "https://hooks.example.com/returns", now=clock())
    rid = await _return(client, orders)
    r = await client.post(f"/api/v1/returns/{rid}/receive", headers=bearer(merchants["yamakaze"][1]))
    assert r.status_code == 200
    async with engine.read():
        events = [row["event"] for row in await WebhookDelivery.select(WebhookDelivery.event).order_by(WebhookDelivery.id)]
    assert events == ["return.requested", "return.approved", "return.received"]
