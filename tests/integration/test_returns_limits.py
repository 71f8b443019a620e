"""Only what was delivered can be asked back: the request limit is the lines' fulfilled counter
(kept by shipping from the shipments, or the whole line of a picked-up order), minus what was
already requested. Through real shipments, the wizard and parallel submits."""

from __future__ import annotations

import asyncio

import pytest

from orderhub.db import engine
from orderhub.db.errors import ValidationFailed
from orderhub.db.orders.tables import Order
from orderhub.db.returns import queries, services
from tests.conftest import bearer
from tests.returns_support import fulfil, step

DATA = {"reason": "too_small", "comment": "", "resolution": "refund", "method": "drop_off"}


async def _ship(client, key, lines, sid="S1"):
    body = {"carrier": "yamato", "tracking_number": f"4012-3456-78{len(sid):02d}", "lines": lines,
            "shipped_at": "2026-11-17T09:00:00+09:00", "estimated_delivery": "2026-11-19"}
    r = await client.put(f"/api/v1/orders/jp_ship/shipments/{sid}", headers=bearer(key), json=body)
    assert r.status_code in (200, 201), r.text


async def test_nothing_shipped_nothing_returnable(client, orders):
    base = f"/o/{orders['jp_ship'].token}/returns"
    page = await client.get(base + "?lang=en")
    assert "Not delivered yet" in page.text and "Nothing in this order can be returned right now." in page.text
    r = await step(client, base, "items", {"qty_L1": "1"})
    assert r.status_code == 422


async def test_a_partial_shipment_limits_the_request(client, orders, merchants):
    key = merchants["yamakaze"][1]
    base = f"/o/{orders['jp_ship'].token}/returns"
    await _ship(client, key, [{"line_id": "L1", "quantity": 1}, {"line_id": "L2", "quantity": 1}])
    facts = await queries.order_facts(orders["jp_ship"].id)
    assert [(ln.line_id, ln.quantity, ln.fulfilled_quantity) for ln in facts.money.lines] == [
        ("L1", 1, 1), ("L2", 2, 1), ("L3", 1, 0)]
    page = await client.get(base + "/new/items?lang=en")
    assert page.text.count('<option value="1"') == 2 and '<option value="2"' not in page.text
    assert (await step(client, base, "items", {"qty_L2": "2"})).status_code == 422  # bought 2, delivered 1
    with pytest.raises(ValidationFailed):
        await services.submit(orders["jp_ship"].id, {**DATA, "items": {"L2": 2}}, idempotency_key="k-two-bars-0001",
                              now=_now())
    rid = await services.submit(orders["jp_ship"].id, {**DATA, "items": {"L2": 1}}, idempotency_key="k-one-bar-00001",
                                now=_now())
    assert rid
    # the second bar was not shipped yet: nothing more of L2 until it is
    with pytest.raises(ValidationFailed):
        await services.submit(orders["jp_ship"].id, {**DATA, "items": {"L2": 1}}, idempotency_key="k-one-bar-00002",
                              now=_now())
    await _ship(client, key, [{"line_id": "L2", "quantity": 1}], sid="S2")
    assert await services.submit(orders["jp_ship"].id, {**DATA, "items": {"L2": 1}},
                                 idempotency_key="k-one-bar-00003", now=_now())


def _now():
    import datetime as dt

    return dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)


async def test_a_picked_up_order_can_come_back_whole(client, orders):
    order_id = orders["jp_pickup"].id
    facts = await queries.order_facts(order_id)
    assert all(ln.fulfilled_quantity == 0 for ln in facts.money.lines)
    async with engine.write():
        await Order.update({Order.fulfillment_status: "picked_up"}).where(Order.id == order_id)
    facts = await queries.order_facts(order_id)
    assert all(ln.fulfilled_quantity == ln.quantity for ln in facts.money.lines)
    line = next(ln for ln in facts.money.lines if not ln.final_sale)
    rid = await services.submit(order_id, {**DATA, "items": {line.line_id: line.quantity}},
                                idempotency_key="pickup-return-0001", now=_now())
    assert (await queries.return_for_order(order_id, rid)).items[0].quantity == line.quantity


async def test_parallel_submits_never_pass_the_delivered_count(client, orders, clock):
    order_id = orders["jp_ship"].id
    await fulfil(order_id, lines={"L1": 1, "L2": 1})

    async def one(i):
        try:
            return await services.submit(order_id, {**DATA, "items": {"L2": 1}}, idempotency_key=f"par-{i:04d}-limit-x",
                                         now=clock())
        except ValidationFailed:
            return None

    made = [r for r in await asyncio.gather(*(one(i) for i in range(30))) if r]
    assert len(made) == 1
    assert (await queries.order_facts(order_id)).line("L2").requested_quantity == 1


async def test_a_rejected_request_frees_the_delivered_units(client, orders, merchants, clock):
    order_id = orders["jp_ship"].id
    await fulfil(order_id, lines={"L2": 1})
    rid = await services.submit(order_id, {**DATA, "reason": "other", "items": {"L2": 1}},
                                idempotency_key="free-again-0001", now=clock())
    r = await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(merchants["yamakaze"][1]))
    assert r.status_code == 200
    assert await services.submit(order_id, {**DATA, "items": {"L2": 1}}, idempotency_key="free-again-0002",
                                 now=clock())
