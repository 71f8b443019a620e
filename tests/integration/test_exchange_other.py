"""Exchanges for something else (issue 20 item 5) through the wizard, the hub, the API and the
outbox: browse in stock only, choose, the exchange.created draft order, the storefront's payment
URL, stock held and given back, the replacement sent only once paid, a cheaper choice refunded."""

from __future__ import annotations

import copy
import re

import pytest

from orderhub.db import engine
from orderhub.db.returns import queries
from tests.conftest import bearer, fixture
from tests.returns_support import CSRF, HTMX, csrf, delivered, fulfil, hooks, step  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("delivered")


async def _events(event: str) -> list[dict]:
    from orderhub.db.outbox.tables import WebhookDelivery

    async with engine.read():
        rows = await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.payload).output(
            load_json=True).where(WebhookDelivery.event == event).order_by(WebhookDelivery.id)
    return [r["payload"] for r in rows]


async def _reserved(sku: str) -> int:
    from orderhub.db.returns.tables import VariantStock

    async with engine.read():
        row = await VariantStock.select(VariantStock.reserved).where(VariantStock.sku == sku).first()
    return row["reserved"] if row else 0


async def _choose(client, base: str, product_id: str, sku: str, quantity: int = 1, *, htmx: bool = False):
    token = await csrf(client, base + "/new/exchange")
    return await client.post(base + "/new/exchange", headers=HTMX if htmx else {}, data={
        "_csrf_token": token, "product_id": product_id, "sku": sku, "quantity": str(quantity)})


async def _exchange(client, base: str, picks: list[tuple[str, str, int]], *, line: str = "L1",
                    method: str = "drop_off") -> tuple[int, str]:
    """Walk the wizard to an exchange for `picks`; -> (return id, the review page's text in English)."""
    assert (await step(client, base, "items", {f"qty_{line}": "1"})).status_code == 303
    assert (await step(client, base, "reason", {"reason": "too_small"})).status_code == 303
    r = await step(client, base, "resolution", {"resolution": "exchange_other"})
    assert r.status_code == 303 and r.headers["location"].endswith("/returns/new/exchange")
    for product_id, sku, qty in picks:
        r = await _choose(client, base, product_id, sku, qty)
        assert r.status_code == 303, r.text[:600]
    assert (await step(client, base, "method", {"method": method})).status_code == 303
    review = await client.get(base + "/new/review?lang=en")
    assert review.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review.text).group(1)
    r = await client.post(base + "/new/submit", data={"_csrf_token": CSRF.search(review.text).group(1),
                                                      "idempotency_key": key})
    assert r.status_code == 303, r.text[:800]
    return int(r.headers["location"].rsplit("/", 1)[1]), review.text


async def test_browse_shows_in_stock_products_only_searches_and_pages(client, orders, merchants):
    key = merchants["yamakaze"][1]
    # the gaiter is sold out; one sock size has its only unit counted
    gaiter = copy.deepcopy(next(p for p in fixture("catalog/yamakaze_products.json") if p["id"] == "gaiter"))
    gaiter["variants"][0]["in_stock"] = False
    assert (await client.put("/api/v1/products/gaiter", headers=bearer(key), json=gaiter)).status_code in (200, 201)
    base = f"/o/{orders['jp_ship'].token}/returns"
    await step(client, base, "items", {"qty_L1": "1"})
    await step(client, base, "reason", {"reason": "too_small"})
    # not chosen yet: the catalog step sends the shopper back to the resolution
    r = await client.get(base + "/new/exchange")
    assert r.status_code == 303 and r.headers["location"].endswith("/new/resolution")
    page = await client.get(base + "/new/resolution?lang=en")
    assert "Exchange for something else" in page.text
    await step(client, base, "resolution", {"resolution": "exchange_other"})
    page = await client.get(base + "/new/exchange?lang=en")
    assert page.status_code == 200
    assert "Trail Runner GTX" in page.text and "Merino Wool Socks" in page.text
    assert "Trail Gaiter" not in page.text  # out of stock
    assert "TR-270-BLU" not in page.text  # an out-of-stock size of an in-stock product
    # the budget: the returned shoes' value (¥13,200) and the 10 % credit bonus
    assert "¥13,200" in page.text and "¥1,320" in page.text and "¥14,520" in page.text
    found = await client.get(base + "/new/exchange?lang=en&q=ソックス")  # either language's name
    assert "Merino Wool Socks" in found.text and "Trail Runner" not in found.text
    found = await client.get(base + "/new/exchange?lang=ja&q=merino%20SOCKS")
    assert "メリノウール ソックス" in found.text and "トレイルランナー" not in found.text
    none = await client.get(base + "/new/exchange?lang=en&q=" + "<script>alert(1)</script>")
    assert none.status_code == 200 and "<script>alert(1)</script>" not in none.text
    assert "Nothing in stock matches" in none.text
    assert (await client.get(base + "/new/exchange?page=999&q=" + "x" * 5000)).status_code == 200
    partial = await client.get(base + "/new/exchange?q=socks", headers=HTMX)
    assert partial.text.lstrip().startswith('<div id="returns-wizard"') and "<html" not in partial.text


async def test_choosing_rejects_what_is_not_in_stock_or_not_in_the_catalog(client, orders, merchants):
    base = f"/o/{orders['jp_ship'].token}/returns"
    await step(client, base, "items", {"qty_L1": "1"})
    await step(client, base, "reason", {"reason": "too_small"})
    await step(client, base, "resolution", {"resolution": "exchange_other"})
    for product_id, sku, qty in (("trail-runner", "TR-270-BLU", "1"), ("trail-runner", "SOCK-M-GRY", "1"),
                                 ("nope", "X", "1"), ("trail-runner", "TR-255-BLU", "-1"),
                                 ("trail-runner", "TR-255-BLU", "99999"), ("trail-runner", "TR-255-BLU", "25")):
        token = await csrf(client, base + "/new/exchange")
        r = await client.post(base + "/new/exchange?lang=en", data={
            "_csrf_token": token, "product_id": product_id, "sku": sku, "quantity": qty})
        assert r.status_code == 422, (product_id, sku, qty)
        assert 'role="alert"' in r.text
    # without the CSRF token nothing is chosen
    r = await client.post(base + "/new/exchange", data={"product_id": "trail-runner", "sku": "TR-255-BLU"})
    assert r.status_code == 403
    # nothing chosen: the review refuses to submit
    await step(client, base, "method", {"method": "drop_off"})
    review = await client.get(base + "/new/review?lang=en")
    assert "Choose at least one item to exchange for." in review.text
    # another merchant's product is not in this shop's catalog
    r = await _choose(client, base, "hiking-pack", "ACME-PACK-30")
    assert r.status_code == 422


async def test_a_dearer_exchange_is_paid_through_the_storefront_before_it_ships(client, orders, merchants, hooks):
    key, acme = merchants["yamakaze"][1], merchants["acme"][1]
    base = f"/o/{orders['jp_ship'].token}/returns"
    rid, review = await _exchange(client, base, [("trail-runner", "TR-255-BLK", 1), ("merino-socks", "SOCK-M-GRY", 1)])
    # 13,200 + 2,200 = 15,400 against 13,200 and a 1,320 bonus: 880 to pay
    assert "¥15,400" in review and "You pay the difference" in review and "¥880" in review
    assert await _reserved("TR-255-BLK") == 1 and await _reserved("SOCK-M-GRY") == 1

    [created] = await _events("exchange.created")
    assert created["return_id"] == rid and created["hub_url"].endswith(f"/o/{orders['jp_ship'].token}")
    draft = created["draft_order"]
    assert draft["currency"] == "JPY" and draft["difference_to_pay"] == "880" and draft["total"] == "15400"
    assert [(ln["sku"], ln["quantity"], ln["amount"]) for ln in draft["lines"]] == [
        ("TR-255-BLK", 1, "13200"), ("SOCK-M-GRY", 1, "2200")]
    assert created["payment"]["status"] == "awaiting_link"

    page = await client.get(f"{base}/{rid}?lang=en")
    assert "Exchange for something else" in page.text and "We will email you a link to pay" in page.text
    assert "Pay the difference" not in page.text
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["exchange_for"]["difference_to_pay"] == "880" and api["exchange_for"]["payment"]["status"] == \
        "awaiting_link"

    url = f"/api/v1/returns/{rid}/exchange"
    good = {"payment_url": "https://shop.example.jp/pay/abc?x=1"}
    assert (await client.put(url, json=good)).status_code == 401
    assert (await client.put(url, headers=bearer("wrong"), json=good)).status_code == 401
    assert (await client.put(url, headers=bearer(acme), json=good)).status_code == 404
    for body in ({"payment_url": "http://shop.example.jp/pay"}, {"payment_url": "javascript:alert(1)"},
                 {"payment_url": "https://user:pw@shop.example.jp/"}, {"payment_url": "https://"},
                 {"payment_url": "https://a.example/" + "x" * 3000}, {"payment_url": "https://a.example/ b"},
                 {"payment_url": 12}, {"status": "refunded"}, {}, [1], {"payment_url": good["payment_url"],
                                                                        "status": "paid"}):
        r = await client.put(url, headers=bearer(key), json=body)
        assert r.status_code == 422, body
        assert r.json()["errors"]
    assert (await client.put(url, headers=bearer(key), content=b"{nope")).status_code == 422
    # still nothing to pay shown: nothing was stored
    assert "Pay the difference" not in (await client.get(f"{base}/{rid}?lang=en")).text

    r = await client.put(url, headers=bearer(key), json=good)
    assert r.status_code == 200 and r.json()["exchange_for"]["payment"] == {
        "status": "due", "url": good["payment_url"], "paid_at": None}
    assert (await client.put(url, headers=bearer(key), json=good)).json() == r.json()  # idempotent
    assert len(await _events("exchange.payment_due")) == 1
    page = await client.get(f"{base}/{rid}?lang=en")
    assert "Pay the difference" in page.text and 'href="https://shop.example.jp/pay/abc?x=1"' in page.text

    # received, but the replacement waits for the payment
    assert (await client.post(f"/api/v1/returns/{rid}/receive", headers=bearer(key))).status_code == 200
    r = await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(key))
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "exchange.unpaid"
    paid = await client.put(url, headers=bearer(key), json={"status": "paid"})
    assert paid.status_code == 200 and paid.json()["exchange_for"]["payment"]["status"] == "paid"
    assert (await client.put(url, headers=bearer(key), json={"status": "paid"})).status_code == 200
    assert (await client.put(url, headers=bearer(key), json=good)).status_code == 409  # paid stays paid
    page = await client.get(f"{base}/{rid}?lang=en")
    assert "Pay the difference" not in page.text and "the difference is paid" in page.text
    r = await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(key))
    assert r.status_code == 200 and r.json()["status"] == "exchanged"
    assert r.json()["replacement"]["status"] == "issued"
    assert await _reserved("TR-255-BLK") == 0  # issued: the storefront's own count takes over


async def test_a_cheaper_exchange_refunds_the_difference_once_sent(client, orders, merchants, hooks):
    key = merchants["yamakaze"][1]
    base = f"/o/{orders['jp_ship'].token}/returns"
    rid, review = await _exchange(client, base, [("merino-socks", "SOCK-L-GRY", 2)])
    # 4,400 of new items: the bonus (1,320) first, then 3,080 of the 13,200: 10,120 back
    assert "We refund the difference" in review and "¥10,120" in review
    [created] = await _events("exchange.created")
    assert created["draft_order"]["difference_to_pay"] == "0"
    assert created["draft_order"]["difference_refunded"] == "10120"
    r = await client.put(f"/api/v1/returns/{rid}/exchange", headers=bearer(key),
                         json={"payment_url": "https://shop.example.jp/pay"})
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "exchange.nothing_to_pay"
    assert (await client.post(f"/api/v1/returns/{rid}/receive", headers=bearer(key))).status_code == 200
    r = await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(key))
    assert r.status_code == 200 and r.json()["exchange_for"]["refunded_at"]
    order = (await client.get("/api/v1/orders/jp_ship", headers=bearer(key))).json()
    assert order["payment"]["status"] == "partially_refunded"
    assert "The difference was refunded" in (await client.get(f"{base}/{rid}?lang=en")).text
    hub = (await client.get(f"/o/{orders['jp_ship'].token}?lang=ja")).text
    refunds = hub.split('id="confirmation-refunds"', 1)[1].split("</section>", 1)[0]
    assert "¥10,120" in refunds and "お支払いに使われた方法へ返金" in refunds


async def test_held_units_are_given_back_when_the_exchange_is_cancelled(client, orders, merchants):
    base = f"/o/{orders['jp_ship'].token}/returns"
    rid, _ = await _exchange(client, base, [("gaiter", "GTR-F", 2)])
    assert await _reserved("GTR-F") == 2
    token = await csrf(client, f"{base}/{rid}")
    r = await client.post(f"{base}/{rid}/cancel", data={"_csrf_token": token})
    assert r.status_code == 303
    assert await _reserved("GTR-F") == 0
    view = await queries.return_for_order(orders["jp_ship"].id, rid)
    assert view.status == "cancelled" and view.replacement.status == "released"
    assert view.exchange_for.payment_status == "not_needed" or view.exchange_for.withdrawn
    page = await client.get(f"{base}/{rid}?lang=en")
    assert "This exchange was withdrawn" in page.text and "We refund the difference" in page.text


async def test_a_rejected_dearer_exchange_is_no_longer_due(client, orders, merchants, hooks):
    key = merchants["yamakaze"][1]
    base = f"/o/{orders['jp_ship'].token}/returns"
    rid, _ = await _exchange(client, base, [("trail-runner", "TR-255-BLK", 2)])
    url = f"/api/v1/returns/{rid}/exchange"
    assert (await client.put(url, headers=bearer(key), json={"payment_url": "https://s.example/p"})).status_code == 200
    # approved automatically; cancel by the shopper, then the storefront's link no longer applies
    token = await csrf(client, f"{base}/{rid}")
    assert (await client.post(f"{base}/{rid}/cancel", data={"_csrf_token": token})).status_code == 303
    assert await _reserved("TR-255-BLK") == 0
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["exchange_for"]["payment"]["status"] == "withdrawn"
    page = await client.get(f"{base}/{rid}?lang=en")
    assert "Pay the difference" not in page.text and "This exchange was withdrawn" in page.text
    r = await client.put(url, headers=bearer(key), json={"payment_url": "https://s.example/q"})
    assert r.status_code == 409 and r.json()["errors"][0]["code"] == "exchange.closed"


async def test_the_shopper_is_emailed_the_exchange_and_the_difference_to_pay(client, orders, merchants, settings,
                                                                              clock):
    from orderhub.db.emails.tables import EmailMessage
    from orderhub.emails.render import render

    key = merchants["yamakaze"][1]
    base = f"/o/{orders['jp_ship'].token}/returns"
    rid, _ = await _exchange(client, base, [("trail-runner", "TR-255-BLK", 1), ("merino-socks", "SOCK-M-GRY", 1)])
    await client.put(f"/api/v1/returns/{rid}/exchange", headers=bearer(key),
                     json={"payment_url": "https://shop.example.jp/pay/<x>"})  # refused: not a valid URL
    await client.put(f"/api/v1/returns/{rid}/exchange", headers=bearer(key),
                     json={"payment_url": "https://shop.example.jp/pay/abc"})
    async with engine.read():
        rows = await EmailMessage.select(EmailMessage.kind, EmailMessage.event, EmailMessage.payload,
                                         EmailMessage.order_id).output(load_json=True).where(
            EmailMessage.event.is_in(["exchange.created", "exchange.payment_due"])).order_by(EmailMessage.id)
    assert [r["kind"] for r in rows] == ["exchange_created", "exchange_payment_due"]
    created = {lang: await render(rows[0]["kind"], rows[0]["event"], rows[0]["payload"], rows[0]["order_id"], lang,
                                  settings, now=clock()) for lang in ("ja", "en")}
    assert created["en"].subject == "Your exchange for order YK-100234 is requested"
    assert "Merino Wool Socks" in created["en"].text and "¥880" in created["en"].text
    assert "交換を受け付けました" in created["ja"].subject and "メリノウール ソックス" in created["ja"].text
    due = {lang: await render(rows[1]["kind"], rows[1]["event"], rows[1]["payload"], rows[1]["order_id"], lang,
                              settings, now=clock()) for lang in ("ja", "en")}
    assert due["en"].subject == "Pay the difference for your exchange (order YK-100234)"
    assert 'href="https://shop.example.jp/pay/abc"' in due["en"].html and "¥880" in due["en"].text
    assert "差額のお支払い" in due["ja"].subject and "https://shop.example.jp/pay/abc" in due["ja"].text


async def test_the_last_counted_unit_goes_to_one_exchange_only(client, orders, merchants, settings, clock):
    key = merchants["yamakaze"][1]
    product = copy.deepcopy(next(p for p in fixture("catalog/yamakaze_products.json") if p["id"] == "gaiter"))
    product["variants"][0]["stock"] = 1
    assert (await client.put("/api/v1/products/gaiter", headers=bearer(key), json=product)).status_code in (200, 201)
    base = f"/o/{orders['jp_ship'].token}/returns"
    await _exchange(client, base, [("gaiter", "GTR-F", 1)])
    # the unit is held: the gaiter leaves the catalog for everybody else
    from orderhub.db.orders import services as order_services

    other = await order_services.upsert_order(merchants["yamakaze"][0], "jp_ship_b", fixture("orders/jp_ship.json"),
                                              token_key=settings.key_for("hub-token"), now=clock())
    await fulfil(other.id)
    base_b = f"/o/{other.token}/returns"
    await step(client, base_b, "items", {"qty_L1": "1"})
    await step(client, base_b, "reason", {"reason": "too_small"})
    await step(client, base_b, "resolution", {"resolution": "exchange_other"})
    page = await client.get(base_b + "/new/exchange?lang=ja")
    assert "トレイルゲイター" not in page.text and "トレイルランナー GTX" in page.text
    assert (await _choose(client, base_b, "gaiter", "GTR-F")).status_code == 422


async def test_usd_exchange_with_tax_on_top(client, orders, merchants):
    """Acme prices exclude tax: the new items' tax is added at the returned items' rate."""
    base = f"/o/{orders['us_ship'].token}/returns"
    facts = await queries.order_facts(orders["us_ship"].id)
    line = facts.money.lines[0]
    catalog = fixture("acme_products.json")
    product = next(p for p in catalog if any(v.get("in_stock", True) for v in p["variants"]))
    variant = next(v for v in product["variants"] if v.get("in_stock", True))
    rid, review = await _exchange(client, base, [(product["id"], variant["sku"], 1)], line=line.line_id)
    view = await queries.return_for_order(orders["us_ship"].id, rid)
    s = view.exchange_for.settlement
    assert s.currency == "USD" and s.new_tax_minor > 0
    assert s.new_total_minor - s.new_tax_minor == round(float(variant["price"]) * 100)
    api = view.api()["exchange_for"]
    assert re.fullmatch(r"\d+\.\d{2}", api["new_total"]) and re.fullmatch(r"\d+\.\d{2}", api["difference_to_pay"])
