"""The money of an exchange for something else after the difference is paid (issue 20): the paid
difference raises what can be refunded, `return.exchange_paid` tells the merchant once, and a return
withdrawn after paying (cancelled, rejected, expired) gives the difference back once, with the
shopper's email, `return.exchange_refunded` and `exchange.cancelled`, shown on the hub, admin and API."""

from __future__ import annotations

import pytest

from orderhub.db import engine
from orderhub.db.payments import services as payments
from tests.conftest import bearer
from tests.integration.test_exchange_other import _events, _exchange
from tests.returns_support import csrf, delivered, fulfil, hooks  # noqa: F401 (fixtures)

JP_TOTAL = 17560  # the jp_ship fixture's total (¥)
TO_PAY = 880  # a second pair (13,200) and socks (2,200) against 13,200 and a 1,320 bonus


pytestmark = pytest.mark.usefixtures("delivered")


async def _paid_exchange(client, orders, key) -> tuple[int, str]:
    base = f"/o/{orders['jp_ship'].token}/returns"
    rid, _ = await _exchange(client, base, [("trail-runner", "TR-255-BLK", 1), ("merino-socks", "SOCK-M-GRY", 1)])
    url = f"/api/v1/returns/{rid}/exchange"
    assert (await client.put(url, headers=bearer(key), json={"payment_url": "https://s.example/p"})).status_code == 200
    assert (await client.put(url, headers=bearer(key), json={"status": "paid"})).status_code == 200
    return rid, base


async def _review_first(merchant_id: int) -> None:
    """The merchant reviews "too small" returns: they wait in requested, where they can be rejected."""
    from orderhub.db.merchants.tables import Merchant

    async with engine.write():
        row = await Merchant.select(Merchant.policy).output(load_json=True).where(Merchant.id == merchant_id).first()
        await Merchant.update({Merchant.policy: {**(row["policy"] or {}), "review_reasons": ["too_small"]}}).where(
            Merchant.id == merchant_id)


async def _refunds(order_id: int) -> list[tuple[int, str]]:
    from orderhub.db.payments.tables import PaymentRefund

    async with engine.read():
        rows = await PaymentRefund.select(PaymentRefund.amount_minor, PaymentRefund.source).where(
            PaymentRefund.order == order_id).order_by(PaymentRefund.id)
    return [(r["amount_minor"], r["source"]) for r in rows]


async def _emails(kind: str) -> list[dict]:
    from orderhub.db.emails.tables import EmailMessage

    async with engine.read():
        return await EmailMessage.select(EmailMessage.kind, EmailMessage.order_id).where(EmailMessage.kind == kind)


async def test_paying_the_difference_tells_the_merchant_once_and_raises_the_refund_cap(client, orders, merchants,
                                                                                      hooks):
    key, acme = merchants["yamakaze"][1], merchants["acme"][1]
    assert await payments.refundable(orders["jp_ship"].id) == JP_TOTAL
    rid, _ = await _paid_exchange(client, orders, key)
    url = f"/api/v1/returns/{rid}/exchange"
    assert (await client.put(url, headers=bearer(key), json={"status": "paid"})).status_code == 200  # a repeat
    [paid] = await _events("return.exchange_paid")
    assert paid["return_id"] == rid and paid["amount"] == "880" and paid["currency"] == "JPY"
    assert paid["order_number"] == orders["jp_ship"].number and paid["paid_at"]
    # the money that came in can go back: the cap is the order's total plus the paid difference
    assert await payments.refundable(orders["jp_ship"].id) == JP_TOTAL + TO_PAY
    # another merchant's key, or none, neither pays nor sees it
    assert (await client.put(url, headers=bearer(acme), json={"status": "paid"})).status_code == 404
    assert (await client.put(url, headers=bearer("wrong"), json={"status": "paid"})).status_code == 401
    assert (await client.get(f"/api/v1/returns/{rid}", headers=bearer(acme))).status_code == 404
    assert len(await _events("return.exchange_paid")) == 1


@pytest.mark.parametrize("path", ["cancel", "reject", "expire"])
async def test_withdrawing_after_paying_refunds_the_difference_once(client, orders, merchants, hooks, clock, path):
    from orderhub.db.returns import exchanges
    from orderhub.db.returns import services as returns

    key = merchants["yamakaze"][1]
    if path == "reject":
        await _review_first(merchants["yamakaze"][0].id)
    rid, base = await _paid_exchange(client, orders, key)
    if path == "cancel":
        token = await csrf(client, f"{base}/{rid}")
        assert (await client.post(f"{base}/{rid}/cancel", data={"_csrf_token": token})).status_code == 303
    elif path == "reject":
        assert (await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(key),
                                  json={"note": "no"})).status_code == 200
    else:
        clock.advance(days=40)
        assert rid in await returns.expire_stale(now=clock())
    # a retried job or a second withdrawal path refunds nothing more
    async with engine.write():
        await exchanges.withdraw(rid, now=clock())
    assert await returns.expire_stale(now=clock()) == []
    again = await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(key))
    assert again.status_code == (200 if path == "reject" else 409)  # a repeat of the rejection, or refused

    order_id = orders["jp_ship"].id
    assert await _refunds(order_id) == [(TO_PAY, "exchange")]
    [refunded] = await _events("return.exchange_refunded")
    assert refunded["return_id"] == rid and refunded["amount"] == "880" and refunded["currency"] == "JPY"
    [cancelled] = await _events("exchange.cancelled")
    assert cancelled["return_id"] == rid and cancelled["payment_status"] == "refunded"
    assert cancelled["difference_refunded"] == "880" and cancelled["status"] in ("cancelled", "rejected", "expired")
    assert [m["order_id"] for m in await _emails("exchange_refunded")] == [order_id]

    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()["exchange_for"]
    assert api["payment"]["status"] == "refunded" and api["paid_difference_refunded"] == "880"
    assert api["refunded_at"]
    order = (await client.get("/api/v1/orders/jp_ship", headers=bearer(key))).json()
    assert order["payment"]["refunded"] == "880" and order["payment"]["status"] == "partially_refunded"
    page = (await client.get(f"{base}/{rid}?lang=en")).text
    assert "the difference you paid, ¥880, was refunded" in page and "Pay the difference" not in page
    assert "返金しました" in (await client.get(f"{base}/{rid}?lang=ja")).text
    # the order page lists it among the order's refunds, as the API and the email state it
    hub = (await client.get(f"/o/{orders['jp_ship'].token}?lang=en")).text
    refunds = hub.split('id="confirmation-refunds"', 1)[1].split("</section>", 1)[0]
    assert "Refunded ¥880 on" in refunds and "To your original payment method" in refunds
    # the storefront repeating "paid" changes nothing; a new link is refused
    url = f"/api/v1/returns/{rid}/exchange"
    assert (await client.put(url, headers=bearer(key), json={"status": "paid"})).status_code == 200
    r = await client.put(url, headers=bearer(key), json={"payment_url": "https://s.example/q"})
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "exchange.closed"
    assert len(await _events("return.exchange_refunded")) == 1 and await _refunds(order_id) == [(TO_PAY, "exchange")]


async def test_withdrawn_before_paying_refunds_nothing_but_tells_the_storefront(client, orders, merchants, hooks):
    key = merchants["yamakaze"][1]
    await _review_first(merchants["yamakaze"][0].id)
    base = f"/o/{orders['jp_ship'].token}/returns"
    rid, _ = await _exchange(client, base, [("trail-runner", "TR-255-BLK", 1), ("merino-socks", "SOCK-M-GRY", 1)])
    assert (await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(key))).status_code == 200
    assert await _refunds(orders["jp_ship"].id) == []
    assert await _events("return.exchange_refunded") == [] and await _emails("exchange_refunded") == []
    [cancelled] = await _events("exchange.cancelled")
    assert cancelled["payment_status"] == "withdrawn" and cancelled["difference_refunded"] == "0"


async def test_a_later_refund_is_capped_with_the_paid_and_refunded_difference(client, orders, merchants, hooks,
                                                                             clock):
    """After a paid difference went back, the whole order can still be refunded: its total, no less
    (the refunded difference is balanced by the money that came in), and no more."""
    key = merchants["yamakaze"][1]
    order_id = orders["jp_ship"].id
    await _review_first(merchants["yamakaze"][0].id)
    rid, base = await _paid_exchange(client, orders, key)
    assert (await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(key))).status_code == 200
    assert await payments.refundable(order_id) == JP_TOTAL
    # everything the order cost can still be refunded (the one cap every refund path goes through), no more
    from orderhub.db.errors import Conflict

    with pytest.raises(Conflict):
        async with engine.write():
            await payments.record_refund(order_id, JP_TOTAL + 1, reason="too much", source="admin", now=clock())
    async with engine.write():
        assert await payments.record_refund(order_id, JP_TOTAL, reason="everything", source="admin",
                                            now=clock()) == JP_TOTAL
    assert await _refunds(order_id) == [(TO_PAY, "exchange"), (JP_TOTAL, "admin")]
    order = (await client.get("/api/v1/orders/jp_ship", headers=bearer(key))).json()
    assert order["payment"]["status"] == "refunded" and order["payment"]["refunded"] == str(JP_TOTAL + TO_PAY)
    assert await payments.refundable(order_id) == 0


async def test_the_admin_queue_tells_a_variant_swap_from_an_exchange_for_something_else(client, orders, merchants,
                                                                                        hooks, clock):
    import copy

    from orderhub.db.returns import services as returns
    from tests.admin_ops_support import signed_in
    from tests.conftest import fixture

    key = merchants["yamakaze"][1]
    product = copy.deepcopy(next(p for p in fixture("catalog/yamakaze_products.json") if p["id"] == "trail-runner"))
    for v in product["variants"]:
        v["stock"] = 5
    assert (await client.put("/api/v1/products/trail-runner", headers=bearer(key), json=product)).status_code == 200
    swap = await returns.submit(orders["jp_ship"].id, {"items": {"L1": 1}, "reason": "too_small", "comment": "",
                                                       "resolution": "exchange", "exchange": {"L1": "TR-260-BLU"},
                                                       "method": "drop_off"}, idempotency_key="swap-1", now=clock())
    base = f"/o/{orders['jp_ship'].token}/returns"
    other, _ = await _exchange(client, base, [("merino-socks", "SOCK-M-GRY", 1)], line="L2")
    owed = (await client.get(f"/api/v1/returns/{other}", headers=bearer(key))).json()
    assert owed["resolution"] == "exchange" and owed["exchange_for"]["difference_to_pay"] == "1012"

    await signed_in(client, clock)

    def row(page: str, rid: int) -> str:
        start = page.index(f'id="return-{rid}"')
        return page[start:page.index("</tr>", start)]

    en = (await client.get("/admin/returns?status=all&lang=en")).text
    assert "Exchange for another size or colour" in row(en, swap) and "Difference" not in row(en, swap)
    assert "Exchange for something else" in row(en, other) and "Difference owed: ¥1,012" in row(en, other)
    ja = (await client.get("/admin/returns?status=all&lang=ja")).text
    assert "別のサイズ・色に交換" in row(ja, swap)
    assert "別の商品と交換" in row(ja, other) and "未払いの差額: ¥1,012" in row(ja, other)

    url = f"/api/v1/returns/{other}/exchange"
    assert (await client.put(url, headers=bearer(key), json={"payment_url": "https://s.example/p"})).status_code == 200
    assert (await client.put(url, headers=bearer(key), json={"status": "paid"})).status_code == 200
    assert "Difference paid: ¥1,012" in row((await client.get("/admin/returns?status=all&lang=en")).text, other)
    await returns.cancel_by_shopper(orders["jp_ship"].id, other, now=clock())  # the shopper withdrew it
    en = (await client.get("/admin/returns?status=all&lang=en")).text
    assert "Difference refunded: ¥1,012" in row(en, other)
    detail = (await client.get(f"/admin/returns/{other}?lang=en")).text
    heading = detail[detail.index("<h1"):detail.index("</h1>")]
    assert "Exchange for something else" in heading and "Paid difference refunded" in detail
    assert "Exchange for another size or colour" in (await client.get(f"/admin/returns/{swap}?lang=en")).text
    ja = (await client.get(f"/admin/returns/{other}?lang=ja")).text
    assert "別の商品と交換" in ja[ja.index("<h1"):ja.index("</h1>")] and "返金済みの差額: ¥1,012" in ja
    # another merchant's key does not see it
    assert (await client.get(f"/api/v1/returns/{other}", headers=bearer(merchants["acme"][1]))).status_code == 404


async def test_the_shopper_is_emailed_the_refunded_difference_in_ja_and_en(client, orders, merchants, settings,
                                                                          clock):
    from orderhub.db.emails.tables import EmailMessage
    from orderhub.emails.render import render

    key = merchants["yamakaze"][1]
    rid, base = await _paid_exchange(client, orders, key)
    token = await csrf(client, f"{base}/{rid}")
    assert (await client.post(f"{base}/{rid}/cancel", data={"_csrf_token": token})).status_code == 303
    async with engine.read():
        [row] = await EmailMessage.select(EmailMessage.kind, EmailMessage.event, EmailMessage.payload,
                                          EmailMessage.order_id).output(load_json=True).where(
            EmailMessage.event == "return.exchange_refunded")
    said = {lang: await render(row["kind"], row["event"], row["payload"], row["order_id"], lang, settings,
                               now=clock()) for lang in ("ja", "en")}
    assert said["en"].subject == "We refunded the difference for your exchange (order YK-100234)"
    assert "we refunded the difference of ¥880 you paid to your original payment" in said["en"].text
    assert "Paid difference refunded" in said["en"].text and "¥880" in said["en"].html
    assert "差額をお返ししました" in said["ja"].subject and "差額 ¥880 を元のお支払い方法に返金" in said["ja"].text
    assert not __import__("re").search(r"[\u3040-\u30ff]", said["en"].subject)
