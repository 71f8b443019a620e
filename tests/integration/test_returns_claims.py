"""Claims (damaged, missing or wrong items): the shopper's form in the returns section, the
merchant's API (list, resolve by refund, replacement or both), money and webhooks."""

from __future__ import annotations

import re

import pytest

from orderhub.db import engine
from orderhub.db.errors import ValidationFailed
from orderhub.db.returns import claims, queries, services
from tests.conftest import bearer
from tests.returns_support import CSRF, HTMX, fulfil, png


@pytest.fixture(autouse=True)
async def _delivered(orders):
    for name in ("jp_ship", "us_ship"):
        await fulfil(orders[name].id)


async def _form(client, base):
    r = await client.get(base + "/claims/new?lang=en")
    assert r.status_code == 200, r.text[:300]
    return CSRF.search(r.text).group(1), re.search(r'name="idempotency_key" value="([^"]+)"', r.text).group(1)


async def _post(client, base, data, photos=(), htmx=False, key=None):
    token, idem = await _form(client, base)
    files = [("photos", (f"p{i}.png", p, "image/png")) for i, p in enumerate(photos)] or None
    return await client.post(base + "/claims/new?lang=en", data={"_csrf_token": token, "idempotency_key": key or idem,
                                                                 **data},
                             files=files, headers=HTMX if htmx else {})


async def _events():
    from orderhub.db.outbox.tables import WebhookDelivery

    async with engine.read():
        return await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.payload).output(
            load_json=True).order_by(WebhookDelivery.id)


async def test_shopper_reports_a_damaged_item_without_js(client, orders, merchants, clock):
    from orderhub.db.outbox import services as outbox

    await outbox.add_endpoint(merchants["yamakaze"][0].id, "https://hooks.example.com/c", now=clock())
    base = f"/o/{orders['jp_ship'].token}/returns"
    overview = await client.get(base + "?lang=en")
    assert "Damaged, missing or wrong item?" in overview.text and "/claims/new" in overview.text
    r = await _post(client, base, {"kind": "damaged", "qty_L1": "1", "description": "<script>x</script> torn"},
                    photos=[png(), png(color=(0, 0, 200))])
    assert r.status_code == 303, r.text[:2000]
    page = await client.get(r.headers["location"])
    assert page.status_code == 200
    assert "Under review" in page.text and "&lt;script&gt;x&lt;/script&gt; torn" in page.text
    assert "<script>x" not in page.text and "CLM-" in page.text
    srcs = re.findall(r'<img src="(/o/[^"]+/claims/\d+/photos/\d+)"', page.text)
    assert len(srcs) == 2
    img = await client.get(srcs[0])
    assert img.status_code == 200 and img.headers["content-type"] == "image/png"
    assert img.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(srcs[0].replace(orders["jp_ship"].token, orders["us_ship"].token))).status_code == 404
    assert (await client.get(r.headers["location"].replace(orders["jp_ship"].token, orders["us_ship"].token))
            ).status_code == 404
    ja = await client.get(r.headers["location"].split("?")[0])
    assert "確認中" in ja.text and "商品が破損していた" in ja.text
    # the claimed unit cannot also be returned
    facts = await queries.order_facts(orders["jp_ship"].id)
    assert facts.line("L1").requested_quantity == 1
    opened = [e for e in await _events() if e["event"] == "claim.opened"]
    assert len(opened) == 1 and opened[0]["payload"]["kind"] == "damaged"


async def test_the_form_explains_what_is_missing(client, orders):
    base = f"/o/{orders['jp_ship'].token}/returns"
    r = await _post(client, base, {"kind": "damaged", "qty_L1": "1", "description": "broken"})
    assert r.status_code == 422 and 'id="f-photos-error"' in r.text and "Please add a photo" in r.text
    r = await _post(client, base, {"qty_L1": "1", "description": "x"})
    assert r.status_code == 422 and "Choose what happened." in r.text
    r = await _post(client, base, {"kind": "missing", "qty_L1": "1", "description": ""})
    assert r.status_code == 422 and "Please describe the problem." in r.text
    r = await _post(client, base, {"kind": "missing", "description": "x"})
    assert r.status_code == 422 and "Choose at least one item." in r.text
    r = await _post(client, base, {"kind": "missing", "qty_L1": "2", "description": "x"})
    assert r.status_code == 422
    r = await _post(client, base, {"kind": "missing", "qty_L1": "1", "description": "x" * 2001})
    assert r.status_code == 422 and "This is too long." in r.text
    r = await _post(client, base, {"kind": "damaged", "qty_L1": "1", "description": "x"}, photos=[png()] * 4)
    assert r.status_code == 422 and "Choose at most 3 photos." in r.text
    r = await _post(client, base, {"kind": "damaged", "qty_L1": "1", "description": "x"},
                    photos=[b"<svg onload=alert(1)>"])
    assert r.status_code == 422 and "f-photos-error" in r.text
    bomb = png(size=(10000, 10000), color=(0, 0, 0))
    r = await _post(client, base, {"kind": "damaged", "qty_L1": "1", "description": "x"}, photos=[bomb])
    assert r.status_code == 422
    r = await _post(client, base, {"kind": "missing", "qty_L1": "1", "description": "x"}, htmx=True)
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="returns-claimdetail"')
    assert re.search(r"/returns/claims/\d+", r.headers["hx-push-url"])
    assert await claims.claims_for_order(orders["jp_ship"].id)


async def test_not_delivered_nothing_to_claim_and_security(client, orders):
    base = f"/o/{orders['jp_pickup'].token}/returns"
    page = await client.get(base + "?lang=en")
    assert "You can report a problem once your items are delivered." in page.text
    r = await _post(client, base, {"kind": "missing", "qty_P1": "1", "description": "x"})
    assert r.status_code == 422
    assert (await client.post(f"/o/{orders['jp_ship'].token}/returns/claims/new",
                              data={"kind": "missing"})).status_code == 403
    assert (await client.get("/o/not-a-token/returns/claims/new")).status_code == 404
    assert (await client.get(f"/o/{orders['jp_ship'].token}/returns/claims/999999")).status_code == 404


async def test_the_same_report_twice_is_one_claim(client, orders):
    base = f"/o/{orders['jp_ship'].token}/returns"
    token, idem = await _form(client, base)
    data = {"_csrf_token": token, "idempotency_key": idem, "kind": "missing", "qty_L2": "1", "description": "x"}
    a = await client.post(base + "/claims/new", data=data)
    b = await client.post(base + "/claims/new", data=data)
    assert a.status_code == b.status_code == 303 and a.headers["location"] == b.headers["location"]
    assert len(await claims.claims_for_order(orders["jp_ship"].id)) == 1


async def _claim(order_id, items, kind="missing", key="claim-key-000001", now=None):
    import datetime as dt

    now = now or dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
    return await claims.open_claim(order_id, {"items": items, "kind": kind, "description": "x"},
                                   photos=[] if kind == "missing" else [(png(), "image/png")], idempotency_key=key,
                                   now=now)


async def test_merchant_resolves_by_refund_with_shipping_for_a_whole_wrong_order(client, orders, merchants, clock):
    from orderhub.db.outbox import services as outbox

    await outbox.add_endpoint(merchants["acme"][0].id, "https://hooks.example.com/acme", now=clock())
    key = merchants["acme"][1]
    cid = await _claim(orders["us_ship"].id, {"1": 1, "2": 2}, kind="wrong_item")
    r = await client.get("/api/v1/claims?status=open", headers=bearer(key))
    assert r.status_code == 200
    [c] = r.json()["claims"]
    # the whole order was wrong: goods, tax and shipping come back (the order's total)
    assert c["refundable"] == "155.64" and c["shipping"] == "8.65" and c["status"] == "open"
    assert len(c["photos"]) == 1 and (await client.get(c["photos"][0], headers=bearer(key))).status_code == 200
    r = await client.post(f"/api/v1/claims/{cid}/resolve", headers=bearer(key), json={"resolution": "refund",
                                                                                       "note": "sorry"})
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["refund"] == "155.64"
    again = await client.post(f"/api/v1/claims/{cid}/resolve", headers=bearer(key),
                              json={"resolution": "refund", "note": "sorry"})
    assert again.status_code == 200 and again.json() == r.json()
    assert (await client.post(f"/api/v1/claims/{cid}/resolve", headers=bearer(key),
                              json={"resolution": "both"})).status_code == 409
    page = await client.get(f"/o/{orders['us_ship'].token}/returns/claims/{cid}?lang=en")
    assert "Resolved" in page.text and "$155.64" in page.text and "Note from the shop: sorry" in page.text
    # the claim's refund reached the payment (payments.record_refund, the one way refunds go)
    assert [e["event"] for e in await _events()] == ["claim.opened", "payment.refunded", "claim.resolved"]
    resolved = (await _events())[-1]["payload"]
    assert resolved["resolution"] == "refund" and resolved["refund"] == "155.64"
    # nothing more can be refunded on this order
    refunded, shipping_done = await queries.refunded_so_far(orders["us_ship"].id)
    assert refunded == 15564 and shipping_done


async def test_replacement_and_both(client, orders, merchants, clock):
    key = merchants["yamakaze"][1]
    cid = await _claim(orders["jp_ship"].id, {"L1": 1}, kind="damaged")
    r = await client.post(f"/api/v1/claims/{cid}/resolve", headers=bearer(key), json={"resolution": "both"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["refund"] == "13200" and body["replacement"]["status"] == "issued"
    assert body["replacement"]["items"] == [{"line_id": "L1", "title": "トレイルランナー GTX", "sku": "TR-265-BLU",
                                             "option": "26.5cm / ブルー", "quantity": 1}]
    page = await client.get(f"/o/{orders['jp_ship'].token}/returns/claims/{cid}")
    assert "返金のうえ、交換品をお送りします。" in page.text and "¥13,200" in page.text
    # out of stock: a replacement cannot be promised
    import copy

    from tests.conftest import fixture

    product = copy.deepcopy(next(p for p in fixture("catalog/yamakaze_products.json") if p["id"] == "energy-bars"))
    for v in product["variants"]:
        v["stock"] = 0
    assert (await client.put("/api/v1/products/energy-bars", headers=bearer(key), json=product)).status_code in (200, 201)
    cid2 = await _claim(orders["jp_ship"].id, {"L2": 1}, key="claim-key-000002")
    r = await client.post(f"/api/v1/claims/{cid2}/resolve", headers=bearer(key), json={"resolution": "replacement"})
    assert r.status_code == 409 and "out of stock" in r.text
    r = await client.get(f"/api/v1/claims/{cid2}", headers=bearer(key))
    assert r.json()["status"] == "open"  # nothing was stored
    r = await client.post(f"/api/v1/claims/{cid2}/resolve", headers=bearer(key), json={"resolution": "refund"})
    assert r.status_code == 200 and r.json()["refund"] == "1080"


async def test_api_security_and_bad_input(client, orders, merchants):
    cid = await _claim(orders["jp_ship"].id, {"L2": 1})
    yk, acme = merchants["yamakaze"][1], merchants["acme"][1]
    assert (await client.get("/api/v1/claims")).status_code == 401
    assert (await client.get("/api/v1/claims", headers=bearer("nope"))).status_code == 401
    assert (await client.get("/api/v1/claims", headers=bearer(acme))).json()["claims"] == []
    assert (await client.get(f"/api/v1/claims/{cid}", headers=bearer(acme))).status_code == 404
    assert (await client.post(f"/api/v1/claims/{cid}/resolve", headers=bearer(acme),
                              json={"resolution": "refund"})).status_code == 404
    assert (await client.get("/api/v1/claims?status=bogus", headers=bearer(yk))).status_code == 422
    for body in ({}, {"resolution": "cash"}, {"resolution": "refund", "note": "x" * 5000}, [1]):
        assert (await client.post(f"/api/v1/claims/{cid}/resolve", headers=bearer(yk), json=body)).status_code == 422
    assert (await client.post(f"/api/v1/claims/{cid}/resolve", headers=bearer(yk), content=b"{x")).status_code == 422
    assert (await client.post("/api/v1/claims/999999/resolve", headers=bearer(yk),
                              json={"resolution": "refund"})).status_code == 404


async def test_claimed_units_are_not_returnable_and_returned_units_not_claimable(client, orders, clock):
    order_id = orders["jp_ship"].id
    await _claim(order_id, {"L2": 1})
    rid = await services.submit(order_id, {"items": {"L2": 1}, "reason": "too_small", "comment": "",
                                           "resolution": "refund", "method": "drop_off"},
                                idempotency_key="after-claim-0001", now=clock())
    assert rid
    with pytest.raises(ValidationFailed):
        await _claim(order_id, {"L2": 1}, key="claim-key-000009")


async def test_parallel_duplicate_reports_make_one_claim(client, orders):
    import asyncio

    ids = await asyncio.gather(*(_claim(orders["jp_ship"].id, {"L2": 1}, key="same-claim-key-0001") for _ in range(10)))
    assert len(set(ids)) == 1 and len(await claims.claims_for_order(orders["jp_ship"].id)) == 1
    assert (await queries.order_facts(orders["jp_ship"].id)).line("L2").requested_quantity == 1
