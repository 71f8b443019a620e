"""Every state change of a return, an exchange or a claim tells the shopper (issue 19 item 6): each
move writes its email in the move's own transaction (the one service function of returns and
claims), and each message says what happened in Japanese and English: the merchant's reason for a
rejection, the parcel of a return on its way, the replacement's tracking link, the claim's resolution.
Return received is written by every receive path (the API, and the service function a counter uses)."""

from __future__ import annotations

import copy

import pytest

from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.returns import claims, services
from orderhub.emails.render import Rendered, render
from tests.conftest import bearer, fixture
from tests.returns_support import fulfil

DROP_OFF = {"reason": "too_small", "comment": "", "resolution": "refund", "method": "drop_off"}


@pytest.fixture(autouse=True)
async def _delivered(orders):
    for name in ("jp_ship", "us_ship"):
        await fulfil(orders[name].id)


async def _rows(event: str) -> list[dict]:
    async with engine.read():
        return await EmailMessage.select(EmailMessage.kind, EmailMessage.event, EmailMessage.payload,
                                         EmailMessage.order_id, EmailMessage.state, EmailMessage.locale).where(
            EmailMessage.event == event).output(load_json=True).order_by(EmailMessage.id)


async def _both(event: str, settings, clock, *, count: int = 1) -> tuple[Rendered, Rendered]:
    """The one outbox row of `event`, rendered in Japanese and English."""
    rows = await _rows(event)
    assert len(rows) == count, rows
    row = rows[-1]
    assert row["state"] == "pending"
    out = []
    for lang in ("ja", "en"):
        got = await render(row["kind"], event, row["payload"], row["order_id"], lang, settings, now=clock())
        assert got is not None
        assert got.html.count("YK-100234") + got.html.count("1042") >= 1
        out.append(got)
    return out[0], out[1]


async def _submit(order_id: int, data: dict, key: str, clock, items=None) -> int:
    return await services.submit(order_id, {"items": items or {"L1": 1}, **data}, idempotency_key=key, now=clock())


async def test_return_rejected_says_the_merchants_reason(client, orders, merchants, settings, clock):
    key = merchants["yamakaze"][1]
    rid = await _submit(orders["jp_ship"].id, {**DROP_OFF, "reason": "other"}, "rej-1", clock)  # waits for review
    reason = "Worn outdoors <b>not</b> resellable"
    r = await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(key), json={"note": reason})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert (await client.post(f"/api/v1/returns/{rid}/reject", headers=bearer(key), json={"note": reason})
            ).status_code == 200
    ja, en = await _both("return.rejected", settings, clock)  # the same call twice: one message
    assert (await _rows("return.rejected"))[0]["kind"] == "return_rejected"
    assert en.subject == "Your return request for order YK-100234 was declined"
    assert "The reason: Worn outdoors <b>not</b> resellable" in en.text
    assert "Worn outdoors &lt;b&gt;not&lt;/b&gt; resellable" in en.html and "<b>not</b>" not in en.html
    assert "返品をお受けできませんでした" in ja.subject and "理由：Worn outdoors" in ja.text
    assert "RMA-" in ja.text and "お手元に残り" in ja.text


async def test_return_in_transit_from_the_carrier_scan_and_from_the_counter(client, orders, merchants, settings,
                                                                           clock):
    key = merchants["yamakaze"][1]
    rid = await _submit(orders["jp_ship"].id, {**DROP_OFF, "method": "mail"}, "tr-1", clock)  # approved at once
    r = await client.post(f"/api/v1/returns/{rid}/in-transit", headers=bearer(key),
                          json={"carrier": "yamato", "tracking_number": "4012-3456-7890"})
    assert r.status_code == 200
    ja, en = await _both("return.in_transit", settings, clock)
    assert en.subject == "Your return for order YK-100234 is on its way to us"
    assert "Carrier: Yamato Transport" in en.text and "Tracking number: 4012-3456-7890" in en.text
    assert "ご注文 YK-100234 の返品が発送されました" == ja.subject and "ヤマト運輸" in ja.text

    # a drop-off scanned at the counter: the same message, without a carrier
    second = await _submit(orders["jp_ship"].id, DROP_OFF, "tr-2", clock, items={"L2": 1})
    view = await services.queries.return_for_merchant(merchants["yamakaze"][0].id, second)
    await services.ship_by_code(merchants["yamakaze"][0].id, view.drop_off_code, now=clock())
    ja, en = await _both("return.in_transit", settings, clock, count=2)
    assert "Tracking number" not in en.text and "Your return is on its way" in en.html


async def test_return_received_from_every_receive_path(client, orders, merchants, settings, clock):
    merchant, key = merchants["yamakaze"][0], merchants["yamakaze"][1]
    by_api = await _submit(orders["jp_ship"].id, DROP_OFF, "rc-1", clock)
    assert (await client.post(f"/api/v1/returns/{by_api}/receive", headers=bearer(key))).status_code == 200
    # the counter (staff) receives through the same service function the API calls
    at_counter = await _submit(orders["jp_ship"].id, DROP_OFF, "rc-2", clock, items={"L2": 1})
    await services.transition(merchant.id, at_counter, "receive", note="graded A at the counter", now=clock())
    rows = await _rows("return.received")
    assert sorted(r["payload"]["return_id"] for r in rows) == sorted([by_api, at_counter])
    ja, en = await _both("return.received", settings, clock, count=2)
    assert "We received your return" in en.html and "返品商品を受け取りました" in ja.subject


async def test_exchange_shipped_links_the_replacements_tracking(client, orders, merchants, settings, clock):
    key = merchants["yamakaze"][1]
    product = copy.deepcopy(next(p for p in fixture("catalog/yamakaze_products.json") if p["id"] == "trail-runner"))
    for v in product["variants"]:
        v["stock"] = 5
    assert (await client.put("/api/v1/products/trail-runner", headers=bearer(key), json=product)).status_code == 200
    rid = await _submit(orders["jp_ship"].id, {**DROP_OFF, "resolution": "exchange", "exchange": {"L1": "TR-260-BLU"}},
                        "ex-1", clock)
    assert (await client.post(f"/api/v1/returns/{rid}/receive", headers=bearer(key))).status_code == 200
    bad = await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(key), json={"tracking_number": 12})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "tracking_number"
    r = await client.post(f"/api/v1/returns/{rid}/exchange", headers=bearer(key),
                          json={"carrier": "yamato", "tracking_number": "4444-5555-6666"})
    assert r.status_code == 200 and r.json()["status"] == "exchanged"
    ja, en = await _both("return.exchanged", settings, clock)
    assert (await _rows("return.exchanged"))[0]["kind"] == "exchange_shipped"
    url = (await _rows("return.exchanged"))[0]["payload"]["shipment"]["tracking_url"]
    assert url and url in en.text and f'href="{url.replace("&", "&amp;")}"' in en.html
    assert en.subject == "Your replacement for order YK-100234 is on its way"
    assert "Track the parcel with Yamato Transport" in en.text and "TR-260-BLU" not in en.text
    assert "ヤマト運輸で荷物を追跡する" in ja.html and "交換品をお送りしました" in ja.subject
    assert "4444-5555-6666" in ja.text


async def test_claim_resolved_says_the_resolution(client, orders, merchants, settings, clock):
    key = merchants["acme"][1]
    cid = await claims.open_claim(orders["us_ship"].id, {"items": {"2": 1}, "kind": "missing", "description": "x"},
                                  photos=[], idempotency_key="claim-key-000001", now=clock())
    r = await client.post(f"/api/v1/claims/{cid}/resolve", headers=bearer(key),
                          json={"resolution": "both", "note": "Sorry, the box was short."})
    assert r.status_code == 200
    refund = r.json()["refund"]
    ja, en = await _both("claim.resolved", settings, clock)
    assert (await _rows("claim.resolved"))[0]["kind"] == "claim_resolved"
    assert "is resolved" in en.subject and "1042" in en.subject
    assert f"We have refunded ${refund} and are sending you a replacement of the items." in en.text
    assert "A note from us: Sorry, the box was short." in en.text
    assert "解決しました" in ja.subject and "返金し、代わりの商品をお送りします" in ja.text

    # a second claim of the same order gets its own message
    other = await claims.open_claim(orders["us_ship"].id, {"items": {"1": 1}, "kind": "missing", "description": "y"},
                                    photos=[], idempotency_key="claim-key-000002", now=clock())
    second = await client.post(f"/api/v1/claims/{other}/resolve", headers=bearer(key), json={"resolution": "refund"})
    assert second.status_code == 200
    ja, en = await _both("claim.resolved", settings, clock, count=2)
    assert "We have refunded $" in en.text and "replacement" not in en.text
    assert second.json()["number"] in ja.text and second.json()["number"] != r.json()["number"]


async def test_the_shopper_marks_a_posted_return_as_sent(client, orders, merchants, settings, clock):
    from tests.returns_support import HTMX, csrf

    token = orders["jp_ship"].token
    rid = await _submit(orders["jp_ship"].id, {**DROP_OFF, "method": "mail"}, "sent-1", clock)  # approved at once
    page = f"/o/{token}/returns/{rid}"
    shown = await client.get(page + "?lang=en")
    assert "I've sent it" in shown.text
    assert "発送しました</button>" in (await client.get(page + "?lang=ja")).text
    csrf_token = await csrf(client, page)
    assert (await client.post(page + "/sent")).status_code == 403  # no CSRF token
    assert (await client.post(f"/o/{'x' * 43}/returns/{rid}/sent", data={"_csrf_token": csrf_token})).status_code == 404
    other = orders["us_ship"].token  # another order's link cannot move this return
    assert (await client.post(f"/o/{other}/returns/{rid}/sent", data={"_csrf_token": csrf_token})).status_code == 404
    assert (await client.post(f"/o/{token}/returns/99999999/sent", data={"_csrf_token": csrf_token})).status_code == 404
    r = await client.post(page + "/sent", data={"_csrf_token": csrf_token})
    assert r.status_code == 303 and r.headers["location"].endswith(f"/returns/{rid}")
    again = await client.post(page + "/sent", data={"_csrf_token": csrf_token}, headers=HTMX)
    assert again.status_code == 200 and 'id="returns-detail"' in again.text and "I've sent it" not in again.text
    view = await services.queries.return_for_merchant(merchants["yamakaze"][0].id, rid)
    assert view.status == "in_transit"
    ja, en = await _both("return.in_transit", settings, clock)  # once, though the shopper said it twice
    assert "Your return for order YK-100234 is on its way to us" == en.subject and "Tracking number" not in en.text

    # a drop-off return is moved by the counter's scan, not by the shopper
    counter = await _submit(orders["jp_ship"].id, DROP_OFF, "sent-2", clock, items={"L2": 1})
    assert "I've sent it" not in (await client.get(f"/o/{token}/returns/{counter}?lang=en")).text
    refused = await client.post(f"/o/{token}/returns/{counter}/sent", data={"_csrf_token": csrf_token})
    assert refused.status_code == 409
    assert (await services.queries.return_for_merchant(merchants["yamakaze"][0].id, counter)).status == "approved"
