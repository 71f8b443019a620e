"""After the request: on its way back (API call or a scan at the counter), exchanges that hold the
chosen variant and send a replacement, expiry of returns never sent, and the shopper's photos."""

from __future__ import annotations

import asyncio
import copy

import pytest

from orderhub.db import engine
from orderhub.db.errors import ValidationFailed
from orderhub.db.returns import queries, services
from tests.conftest import bearer, fixture
from tests.returns_support import delivered, fulfil, hooks, png, walk  # noqa: F401 (fixtures)

DATA = {"reason": "too_small", "comment": "", "resolution": "refund", "method": "drop_off"}


pytestmark = pytest.mark.usefixtures("delivered")


async def _events():
    from orderhub.db.outbox.tables import WebhookDelivery

    async with engine.read():
        rows = await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.payload).output(
            load_json=True).order_by(WebhookDelivery.id)
    return rows


async def _return(client, orders, name="jp_ship", **kw):
    r, *_ = await walk(client, f"/o/{orders[name].token}/returns", items=kw.pop("items", {"L1": 1}), **kw)
    assert r.status_code == 303, r.text[:500]
    return int(r.headers["location"].rsplit("/", 1)[1])


# -- in transit ---------------------------------------------------------------------------------

async def test_in_transit_with_carrier_and_tracking(client, orders, merchants, hooks):
    key = merchants["yamakaze"][1]
    rid = await _return(client, orders, method="mail")
    body = {"carrier": "yamato", "tracking_number": "<b>4012</b>", "note": "label scanned"}
    r = await client.post(f"/api/v1/returns/{rid}/in-transit", headers=bearer(key), json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["status"] == "in_transit" and got["carrier"] == "yamato" and got["tracking_number"] == "<b>4012</b>"
    again = await client.post(f"/api/v1/returns/{rid}/in-transit", headers=bearer(key), json=body)
    assert again.status_code == 200 and again.json() == got  # idempotent
    page = await client.get(f"/o/{orders['jp_ship'].token}/returns/{rid}?lang=en")
    assert "On its way back" in page.text and "&lt;b&gt;4012&lt;/b&gt;" in page.text and "<b>4012" not in page.text
    assert (await client.post(f"/api/v1/returns/{rid}/receive", headers=bearer(key))).status_code == 200
    assert (await client.post(f"/api/v1/returns/{rid}/in-transit", headers=bearer(key))).status_code == 409
    events = [e["event"] for e in await _events()]
    assert events == ["return.requested", "return.approved", "return.in_transit", "return.received"]
    transit = next(e for e in await _events() if e["event"] == "return.in_transit")
    assert transit["payload"]["tracking_number"] == "<b>4012</b>" and transit["payload"]["previous"] == "approved"


async def test_in_transit_refused_before_approval_and_for_bad_input(client, orders, merchants):
    key = merchants["yamakaze"][1]
    rid = await _return(client, orders, reason="other")  # waits for review
    assert (await client.post(f"/api/v1/returns/{rid}/in-transit", headers=bearer(key))).status_code == 409
    assert (await client.post(f"/api/v1/returns/{rid}/in-transit")).status_code == 401
    assert (await client.post(f"/api/v1/returns/{rid}/in-transit", headers=bearer("wrong"))).status_code == 401
    acme = merchants["acme"][1]
    assert (await client.post(f"/api/v1/returns/{rid}/in-transit", headers=bearer(acme))).status_code == 404
    await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(key))
    for body in ({"carrier": "x" * 500}, {"tracking_number": 12}, [1, 2]):
        r = await client.post(f"/api/v1/returns/{rid}/in-transit", headers=bearer(key), json=body)
        assert r.status_code == 422, body
    r = await client.post(f"/api/v1/returns/{rid}/in-transit", headers=bearer(key), content=b"{nope")
    assert r.status_code == 422
    assert (await queries.return_for_order(orders["jp_ship"].id, rid)).status == "approved"  # nothing stored


async def test_a_drop_off_scanned_at_the_counter_is_on_its_way(client, orders, merchants):
    key = merchants["yamakaze"][1]
    rid = await _return(client, orders, method="drop_off")
    view = await queries.return_for_order(orders["jp_ship"].id, rid)
    acme = merchants["acme"][1]
    assert (await client.post("/api/v1/returns/scan", headers=bearer(acme), json={"code": view.drop_off_code})
            ).status_code == 404
    assert (await client.post("/api/v1/returns/scan", headers=bearer(key), json={"code": "NOPE"})).status_code == 404
    assert (await client.post("/api/v1/returns/scan", headers=bearer(key), json={})).status_code == 422
    r = await client.post("/api/v1/returns/scan", headers=bearer(key),
                          json={"code": f"RMA:{view.number}:{view.drop_off_code}"})
    assert r.status_code == 200 and r.json()["status"] == "in_transit" and r.json()["carrier"] == "drop_off"


# -- exchanges ----------------------------------------------------------------------------------

async def _stock(client, key, sku: str, units: int):
    product = copy.deepcopy(next(p for p in fixture("catalog/yamakaze_products.json") if p["id"] == "trail-runner"))
    for v in product["variants"]:
        if v["sku"] == sku:
            v["stock"] = units
    r = await client.put("/api/v1/products/trail-runner", headers=bearer(key), json=product)
    assert r.status_code in (200, 201), r.text


async def _second_order(merchants, settings, clock):
    from orderhub.db.orders import services as orders

    ref = await orders.upsert_order(merchants["yamakaze"][0], "jp_ship_b", fixture("orders/jp_ship.json"),
                                    token_key=settings.key_for("hub-token"), now=clock())
    await fulfil(ref.id)
    return ref


EXCHANGE = {**DATA, "items": {"L1": 1}, "resolution": "exchange", "exchange": {"L1": "TR-260-BLU"}}


async def test_two_exchanges_for_the_last_unit(client, orders, merchants, settings, clock):
    key = merchants["yamakaze"][1]
    await _stock(client, key, "TR-260-BLU", 1)
    other = await _second_order(merchants, settings, clock)

    async def one(order_id, i):
        try:
            return await services.submit(order_id, {**EXCHANGE, "reason": "other"}, now=clock(),  # waits for review
                                         idempotency_key=f"last-unit-{i:04d}-xx")
        except ValidationFailed as e:
            return e.errors

    a, b = await asyncio.gather(one(orders["jp_ship"].id, 1), one(other.id, 2))
    winners = [x for x in (a, b) if isinstance(x, int)]
    losers = [x for x in (a, b) if not isinstance(x, int)]
    assert len(winners) == 1 and losers == [[{"field": "exchange.L1", "code": "exchange.sold_out",
                                                    "message": "has just sold out"}]]
    loser_order = other.id if isinstance(a, int) else orders["jp_ship"].id
    # nothing of the loser's request was kept: its line can still be asked back
    assert (await queries.order_facts(loser_order)).line("L1").requested_quantity == 0
    # the variant is no longer offered to anyone
    facts = await queries.order_facts(loser_order)
    assert "TR-260-BLU" not in [o.sku for o in await queries.exchange_options(facts.merchant_id, facts, "L1")]
    # the winner's return shows the held replacement, to the merchant and to the shopper
    r = await client.get(f"/api/v1/returns/{winners[0]}", headers=bearer(key))
    rep = r.json()["replacement"]
    assert rep["status"] == "held" and rep["items"][0]["sku"] == "TR-260-BLU" and rep["number"].startswith("RPL-")
    # rejecting the winner gives the unit back: the other shopper gets it now
    assert (await client.post(f"/api/v1/returns/{winners[0]}/reject", headers=bearer(key))).status_code == 200
    assert (await client.get(f"/api/v1/returns/{winners[0]}", headers=bearer(key))).json()["replacement"][
        "status"] == "released"
    assert isinstance(await one(loser_order, 3), int)


async def test_sold_out_at_submit_comes_back_to_the_review_with_a_message(client, orders, merchants, settings, clock):
    key = merchants["yamakaze"][1]
    await _stock(client, key, "TR-260-BLU", 1)
    base = f"/o/{orders['jp_ship'].token}/returns"
    from tests.returns_support import CSRF, step

    await step(client, base, "items", {"qty_L1": "1"})
    await step(client, base, "reason", {"reason": "too_small"})
    r = await step(client, base, "resolution", {"resolution": "exchange", "exchange_L1": "TR-260-BLU"})
    assert r.status_code == 303
    await step(client, base, "method", {"method": "drop_off"})
    review = await client.get(base + "/new/review?lang=en")
    other = await _second_order(merchants, settings, clock)
    await services.submit(other.id, EXCHANGE, idempotency_key="someone-else-0001", now=clock())  # the last unit
    import re

    key_field = re.search(r'name="idempotency_key" value="([^"]+)"', review.text).group(1)
    r = await client.post(base + "/new/submit?lang=en",
                          data={"_csrf_token": CSRF.search(review.text).group(1), "idempotency_key": key_field})
    assert r.status_code == 422 and "has just sold out" in r.text


async def test_exchange_completes_with_the_replacement_sent(client, orders, merchants, hooks):
    key = merchants["yamakaze"][1]
    base = f"/o/{orders['jp_ship'].token}/returns"
    from tests.returns_support import step

    await step(client, base, "items", {"qty_L1": "1"})
    await step(client, base, "reason", {"reason": "too_small"})
    r = await step(client, base, "resolution", {"resolution": "exchange", "exchange_L1": "TR-270-BLU"})
    assert r.status_code == 422  # out of stock: not offered
    assert (await step(client, base, "resolution", {"resolution": "exchange"})).status_code == 422
    r = await step(client, base, "resolution", {"resolution": "exchange", "exchange_L1": "TR-255-BLK"})
    assert r.status_code == 303
    await step(client, base, "method", {"method": "drop_off"})
    import re

    from tests.returns_support import CSRF

    review = await client.get(base + "/new/review")
    r = await client.post(base + "/new/submit", data={
        "_csrf_token": CSRF.search(review.text).group(1),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', review.text).group(1)})
    assert r.status_code == 303
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    page = await client.get(base + f"/{rid}")
    assert "お取り置き中" in page.text and "25.5cm / ブラック" in page.text
    assert (await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(key))).status_code == 409
    assert (await client.post(f"/api/v1/returns/{rid}/receive", headers=bearer(key))).status_code == 200
    assert (await client.post(f"/api/v1/returns/{rid}/refund", headers=bearer(key))).status_code == 409
    r = await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(key), json={"note": "sent RPL"})
    assert r.status_code == 200 and r.json()["status"] == "exchanged"
    assert r.json()["replacement"]["status"] == "issued"
    again = await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(key), json={"note": "sent RPL"})
    assert again.status_code == 200 and again.json() == r.json()
    page = await client.get(base + f"/{rid}?lang=en")
    assert "Your exchange is on its way." in page.text and "Your replacement is on its way." in page.text
    exchanged = [e for e in await _events() if e["event"] == "return.exchanged"]
    assert len(exchanged) == 1 and exchanged[0]["payload"]["replacement"]["items"][0]["sku"] == "TR-255-BLK"


async def test_exchange_is_refused_for_a_refund(client, orders, merchants):
    key = merchants["yamakaze"][1]
    rid = await _return(client, orders)
    await client.post(f"/api/v1/returns/{rid}/receive", headers=bearer(key))
    assert (await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(key))).status_code == 409
    assert (await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(merchants["acme"][1]))
            ).status_code == 404


# -- expiry ---------------------------------------------------------------------------------------

async def test_approved_returns_never_sent_expire(client, orders, merchants, settings, clock, hooks):
    from orderhub.db.returns import jobs

    key = merchants["yamakaze"][1]
    await _stock(client, key, "TR-260-BLU", 1)
    rid = await services.submit(orders["jp_ship"].id, EXCHANGE, idempotency_key="expire-me-000001", now=clock())
    kept = await services.submit(orders["jp_ship"].id, {**DATA, "items": {"L2": 1}, "method": "mail"},
                                 idempotency_key="expire-me-000002", now=clock())
    sent = await services.submit(orders["jp_ship"].id, {**DATA, "items": {"L2": 1}, "method": "mail"},
                                 idempotency_key="expire-me-000003", now=clock())
    await client.post(f"/api/v1/returns/{sent}/in-transit", headers=bearer(key))
    views = {v.id: v for v in await queries.returns_for_order(orders["jp_ship"].id)}
    assert views[rid].status == "approved" and views[kept].keep_item is False
    # approved at 12:00 in Tokyo on 22 November: it may be sent until the end of 6 December there
    clock.advance(days=14, hours=11, minutes=59)
    await jobs.run(settings, clock)
    assert (await queries.return_for_order(orders["jp_ship"].id, rid)).status == "approved"
    clock.advance(minutes=1)  # midnight in Tokyo: the 14th day after approval is over
    await jobs.run(settings, clock)
    await jobs.run(settings, clock)  # again: nothing more happens
    views = {v.id: v for v in await queries.returns_for_order(orders["jp_ship"].id)}
    assert (views[rid].status, views[kept].status, views[sent].status) == ("expired", "expired", "in_transit")
    assert views[rid].replacement.status == "released"
    facts = await queries.order_facts(orders["jp_ship"].id)
    assert facts.line("L1").requested_quantity == 0 and facts.line("L2").requested_quantity == 1
    expired = [e for e in await _events() if e["event"] == "return.expired"]
    assert sorted(e["payload"]["return_id"] for e in expired) == sorted([rid, kept])
    page = await client.get(f"/o/{orders['jp_ship'].token}/returns/{rid}?lang=en")
    assert "This return expired because the item was not sent back in time." in page.text
    # the shopper can ask again (the window is still open for a gold member)
    assert await services.submit(orders["jp_ship"].id, {**DATA, "items": {"L1": 1}},
                                 idempotency_key="expire-me-000004", now=clock())


async def test_the_merchant_sets_the_days(client, orders, merchants, settings, clock):
    from orderhub.db.merchants.tables import Merchant
    from orderhub.db.returns import jobs

    merchant = merchants["yamakaze"][0]
    async with engine.write():
        row = await Merchant.select(Merchant.policy).output(load_json=True).where(Merchant.id == merchant.id).first()
        await Merchant.update({Merchant.policy: {**row["policy"], "return_ship_within_days": 3}}).where(
            Merchant.id == merchant.id)
    rid = await services.submit(orders["jp_ship"].id, {**DATA, "items": {"L1": 1}}, idempotency_key="three-days-0001",
                                now=clock())
    clock.advance(days=3, hours=11)  # 23:00 on the third day after approval in Tokyo
    await jobs.run(settings, clock)
    assert (await queries.return_for_order(orders["jp_ship"].id, rid)).status == "approved"
    clock.advance(hours=1)
    await jobs.run(settings, clock)
    assert (await queries.return_for_order(orders["jp_ship"].id, rid)).status == "expired"


# -- photos ---------------------------------------------------------------------------------------

async def test_photos_on_the_status_page_and_in_the_api(client, orders, merchants):
    base = f"/o/{orders['jp_ship'].token}/returns"
    rid = await _return(client, orders, reason="damaged", photo=png(), items={"L1": 1, "L2": 2})
    page = await client.get(f"{base}/{rid}?lang=en")
    import re

    src = re.search(r'<img src="(/o/[^"]+/photos/\d+)"', page.text).group(1)
    r = await client.get(src)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff" and r.content.startswith(b"\x89PNG")
    photo_id = src.rsplit("/", 1)[1]
    # another order's token, a bad token, another return: the same 404
    assert (await client.get(f"/o/{orders['us_ship'].token}/returns/{rid}/photos/{photo_id}")).status_code == 404
    assert (await client.get(f"/o/not-a-token/returns/{rid}/photos/{photo_id}")).status_code == 404
    assert (await client.get(f"{base}/{rid + 1}/photos/{photo_id}")).status_code == 404
    key = merchants["yamakaze"][1]
    ret = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert ret["photos"] == [f"/api/v1/returns/{rid}/photos/{photo_id}"]
    r = await client.get(ret["photos"][0], headers=bearer(key))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(ret["photos"][0])).status_code == 401
    assert (await client.get(ret["photos"][0], headers=bearer(merchants["acme"][1]))).status_code == 404
