"""Refund truth (issue 20 review): every refund reaches the payment through payments.record_refund,
held to one cap (what was charged minus every refund so far), whoever asks: a return, a cancellation
of the rest, a claim. The order is never refunded more than it was charged, and what each of them says
it refunded is what reached the payment."""

from __future__ import annotations

from orderhub.db import engine
from orderhub.db.orders.tables import Cancellation, Order
from orderhub.db.payments import services as payments
from orderhub.db.payments.tables import PaymentRefund
from tests.conftest import bearer
from tests.returns_support import fulfil, walk


async def _money(order_id: int) -> dict:
    async with engine.read():
        order = await Order.select(Order.total_minor, Order.refunded_minor, Order.payment_status).where(
            Order.id == order_id).first()
        refunds = await PaymentRefund.select(PaymentRefund.amount_minor, PaymentRefund.source).where(
            PaymentRefund.order == order_id).order_by(PaymentRefund.id)
        cancels = await Cancellation.select(Cancellation.refund_minor).where(Cancellation.order == order_id)
    return {"total": order["total_minor"], "refunded": order["refunded_minor"], "status": order["payment_status"],
            "refunds": [(r["amount_minor"], r["source"]) for r in refunds],
            "cancelled": [c["refund_minor"] for c in cancels]}


async def _returned_and_refunded(client, orders, merchants, lines: dict[str, int]) -> int:
    """The shipped lines come back and are refunded (wizard, then the merchant's API)."""
    token = orders["jp_ship"].token
    await fulfil(orders["jp_ship"].id, lines=lines)
    r, *_ = await walk(client, f"/o/{token}/returns", items=lines, reason="too_small", delivered=False)
    assert r.status_code == 303, r.text[:300]
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    key = merchants["yamakaze"][1]
    for action in ("approve", "receive", "refund"):
        ok = await client.post(f"/api/v1/returns/{rid}/{action}", headers=bearer(key))
        assert ok.status_code == 200, (action, ok.text[:300])
    return rid


async def _cancel_rest(client, merchants) -> None:
    from tests.cancel_support import put_order
    from tests.conftest import fixture

    body = fixture("orders/jp_ship.json") | {"status": "cancelled"}
    r = await put_order(client, merchants["yamakaze"][1], "jp_ship", body)
    assert r.status_code == 200, r.text[:300]


async def test_return_refund_then_cancel_the_rest_is_never_over_refunded(client, orders, merchants, clock):
    order_id = orders["jp_ship"].id
    await _returned_and_refunded(client, orders, merchants, {"L1": 1})
    after_return = await _money(order_id)
    assert after_return["refunds"] == [(after_return["refunded"], "return")] and after_return["refunded"] > 0
    await _cancel_rest(client, merchants)
    end = await _money(order_id)
    # the cancellation refunded the rest, after the return's refund: never more than was charged
    assert end["refunded"] == sum(a for a, _ in end["refunds"]) <= end["total"]
    assert end["cancelled"] == [end["refunds"][-1][0]] and end["refunds"][-1][1] == "storefront"
    api = (await client.get("/api/v1/orders/jp_ship", headers=bearer(merchants["yamakaze"][1]))).json()
    assert api["cancellation"]["refund"] == f"{end['cancelled'][0]}"


async def test_every_refund_is_cut_to_what_is_left(client, orders, merchants, clock):
    """A refund made elsewhere first (the storefront's) leaves little: the return gets what is left, the
    cancellation of the rest nothing, and each says what really reached the payment."""
    order_id = orders["jp_ship"].id
    total = (await _money(order_id))["total"]
    async with engine.write():
        await payments.record_refund(order_id, total - 1000, reason="goodwill", source="storefront", now=clock())
    rid = await _returned_and_refunded(client, orders, merchants, {"L1": 1})
    await _cancel_rest(client, merchants)
    end = await _money(order_id)
    assert end["refunded"] == total and end["status"] == "refunded"
    assert end["refunds"] == [(total - 1000, "storefront"), (1000, "return")]
    assert end["cancelled"] == [0]
    api = (await client.get("/api/v1/orders/jp_ship", headers=bearer(merchants["yamakaze"][1]))).json()
    assert api["cancellation"]["refund"] == "0"
    ret = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["yamakaze"][1]))).json()
    assert ret["refund_total"] == "1000"


async def test_a_refund_made_meanwhile_cuts_the_returns_refund_to_what_reached_the_payment(client, orders, merchants,
                                                                                           clock):
    """The return was previewed in full; the storefront refunded most of the order before the merchant
    refunded the return: the return then says what really went back, on the API and the shopper's page."""
    order_id = orders["jp_ship"].id
    token = orders["jp_ship"].token
    await fulfil(order_id, lines={"L1": 1})
    r, *_ = await walk(client, f"/o/{token}/returns", items={"L1": 1}, reason="too_small", delivered=False)
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    key = merchants["yamakaze"][1]
    for action in ("approve", "receive"):
        assert (await client.post(f"/api/v1/returns/{rid}/{action}", headers=bearer(key))).status_code == 200
    total = (await _money(order_id))["total"]
    async with engine.write():
        await payments.record_refund(order_id, total - 500, reason="goodwill", source="storefront", now=clock())
    assert (await client.post(f"/api/v1/returns/{rid}/refund", headers=bearer(key))).status_code == 200
    end = await _money(order_id)
    assert end["refunded"] == total and end["refunds"][-1] == (500, "return")
    ret = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert ret["refund_total"] == "500"
    page = await client.get(f"/o/{token}/returns/{rid}?lang=en")
    assert "¥500" in page.text
