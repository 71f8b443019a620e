"""Tracking ingest through the HTTP API and signed webhooks (docs/api.md), on the --engine given."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json

from orderhub.db import engine
from orderhub.db.orders.tables import Order, OrderLine
from orderhub.db.shipping import queries
from orderhub.db.shipping.tables import Shipment, TrackingEvent
from tests.conftest import bearer
from tests.tracking_support import events_body, post_events, put_shipment, shipment_body, signed


async def count(table, *where) -> int:
    async with engine.read():
        q = table.count()
        return await (q.where(*where) if where else q)


async def order_row(order_id: int) -> dict:
    async with engine.read():
        return await Order.select(Order.fulfillment_status).where(Order.id == order_id).first()


async def test_put_shipment_creates_then_is_idempotent(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    first = await put_shipment(client, key)
    assert first.status_code == 201
    assert first.json()["tracking_number"] == "4012-3456-7890" and first.json()["status"] == "pending"
    again = await put_shipment(client, key)
    assert again.status_code == 200 and again.json() == first.json()
    assert await count(Shipment) == 1
    assert (await order_row(orders["jp_ship"].id))["fulfillment_status"] == "shipped"
    async with engine.read():
        lines = await OrderLine.select(OrderLine.line_id, OrderLine.fulfilled_quantity).where(
            OrderLine.order == orders["jp_ship"].id).order_by(OrderLine.line_id)
    assert [(ln["line_id"], ln["fulfilled_quantity"]) for ln in lines] == [("L1", 1), ("L2", 2), ("L3", 1)]


async def test_shipment_naming_lines_not_in_the_order_is_422_and_stores_nothing(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    body = shipment_body()
    body["lines"] = [{"line_id": "L9", "quantity": 1}, {"line_id": "L2", "quantity": 5}]
    r = await put_shipment(client, key, body=body)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"lines[0].line_id", "lines[1].quantity"}
    assert await count(Shipment) == 0


async def test_partial_shipments_and_summary(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    one = shipment_body()
    one["lines"] = [{"line_id": "L1", "quantity": 1}]
    assert (await put_shipment(client, key, body=one)).status_code == 201
    assert (await order_row(orders["jp_ship"].id))["fulfillment_status"] == "partially_shipped"
    two = shipment_body()
    two["tracking_number"] = "4012-0000-1111"
    two["lines"] = [{"line_id": "L2", "quantity": 2}, {"line_id": "L3", "quantity": 1}]
    assert (await put_shipment(client, key, shipment="S2", body=two)).status_code == 201
    # a third shipment cannot ship more than was ordered
    three = shipment_body()
    three["lines"] = [{"line_id": "L1", "quantity": 1}]
    assert (await put_shipment(client, key, shipment="S3", body=three)).status_code == 422
    delivered = {"carrier": "yamato", "tracking_number": "4012-3456-7890", "events": [
        {"id": "d1", "status": "delivered", "occurred_at": "2026-11-20T10:00:00+09:00"}]}
    assert (await post_events(client, key, delivered)).json() == {"accepted": 1, "duplicates": 0}
    page = await client.get(f"/o/{orders['jp_ship'].token}/tracking?lang=en")
    assert "1 of 4 items delivered" in page.text and "Package 2 of 2" in page.text
    hub = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    assert hub.status_code == 200
    assert (await order_row(orders["jp_ship"].id))["fulfillment_status"] == "shipped"
    dates = await queries.delivery_dates(orders["jp_ship"].id)
    assert set(dates) == {"L1"} and dates["L1"].isoformat().startswith("2026-11-20T01:00")


async def test_events_duplicates_and_out_of_order(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    await put_shipment(client, key)
    late_first = await post_events(client, key, events_body(ids=["ev-4"]))
    assert late_first.status_code == 202 and late_first.json() == {"accepted": 1, "duplicates": 0}
    rest = await post_events(client, key, events_body(ids=["ev-1", "ev-2", "ev-3", "ev-4"]))
    assert rest.json() == {"accepted": 3, "duplicates": 1}
    async with engine.read():
        ship = await Shipment.select(Shipment.status).first()
    assert ship["status"] == "out_for_delivery"  # the older events arrived later and did not move it back
    done = await post_events(client, key, events_body())
    assert done.json() == {"accepted": 1, "duplicates": 4}
    assert (await order_row(orders["jp_ship"].id))["fulfillment_status"] == "delivered"
    # a stray older scan after delivery changes nothing
    stray = {"carrier": "yamato", "tracking_number": "401234567890", "events": [
        {"id": "late-scan", "status": "in_transit", "occurred_at": "2026-11-18T07:00:00+09:00"}]}
    assert (await post_events(client, key, stray)).json() == {"accepted": 1, "duplicates": 0}
    async with engine.read():
        ship = await Shipment.select(Shipment.status, Shipment.delivered_at).first()
    assert ship["status"] == "delivered"
    assert (await order_row(orders["jp_ship"].id))["fulfillment_status"] == "delivered"


async def test_same_delivery_many_times_at_once_is_stored_once(client, merchants, orders):
    _, key, secret = merchants["yamakaze"]
    await put_shipment(client, key)
    body = events_body(ids=["ev-1", "ev-2"])
    answers = await asyncio.gather(*(post_events(client, key, body) for _ in range(40)))
    assert all(a.status_code == 202 for a in answers), {a.status_code for a in answers}
    assert sum(a.json()["accepted"] for a in answers) == 2
    assert await count(TrackingEvent) == 2


async def test_unknown_tracking_number_is_404_not_5xx(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    r = await post_events(client, key, {"carrier": "yamato", "tracking_number": "9999-9999-9999", "events": []})
    assert r.status_code == 404 and r.json()["errors"]


async def test_keys_and_other_merchants(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    _, acme_key, _ = merchants["acme"]
    assert (await client.put("/api/v1/orders/jp_ship/shipments/S1", json=shipment_body())).status_code == 401
    r = await client.put("/api/v1/orders/jp_ship/shipments/S1", json=shipment_body(), headers=bearer("nope"))
    assert r.status_code == 401
    # acme cannot ship or track yamakaze's order
    assert (await put_shipment(client, acme_key)).status_code == 404
    await put_shipment(client, key)
    assert (await post_events(client, acme_key, events_body())).status_code == 404
    assert await count(TrackingEvent) == 0
    assert (await client.post("/api/v1/tracking-events", json=events_body())).status_code == 401


async def test_hostile_and_oversized_input(client, merchants, orders):
    _, key, _ = merchants["yamakaze"]
    await put_shipment(client, key)
    r = await client.post("/api/v1/tracking-events", content=b"{not json", headers=bearer(key))
    assert r.status_code == 422
    hostile = {"carrier": "yamato", "tracking_number": "4012-3456-7890", "events": [
        {"id": "x1", "status": "in_transit", "occurred_at": "2026-11-18T07:00:00+09:00",
         "location": "<script>alert(1)</script>", "message": "<img src=x onerror=alert(1)>"}]}
    assert (await post_events(client, key, hostile)).status_code == 202
    page = await client.get(f"/o/{orders['jp_ship'].token}/tracking")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    big = events_body()
    big["events"] = big["events"] * 200
    r = await post_events(client, key, big)
    assert r.status_code in (413, 422)
    huge = await client.post("/api/v1/tracking-events", content=b"[" + b"1," * 300_000 + b"1]",
                             headers={**bearer(key), "Content-Type": "application/json"})
    assert huge.status_code == 413


async def test_estimate_moves_later(client, merchants, orders):
    _, key, _ = merchants["acme"]
    r = await put_shipment(client, key, order="us_ship", name="tracking/ups_delayed.json")
    assert r.status_code == 201
    r = await post_events(client, key, events_body("tracking/ups_delayed.json", ids=["u-1", "u-2", "u-3"]))
    assert r.json() == {"accepted": 3, "duplicates": 0}
    page = await client.get(f"/o/{orders['us_ship'].token}/tracking?lang=en")
    assert "later than first promised" in page.text
    assert "Delayed by bad weather" in page.text and "Severe weather conditions have delayed delivery" in page.text


# --- signed webhooks -------------------------------------------------------------------------------

async def test_signed_webhook(client, merchants, orders, clock):
    _, key, secret = merchants["yamakaze"]
    await put_shipment(client, key)
    raw, headers = signed(secret, events_body(ids=["ev-1"]), clock().timestamp())
    r = await client.post("/webhooks/tracking/yamakaze", content=raw, headers=headers)
    assert r.status_code == 202 and r.json() == {"accepted": 1, "duplicates": 0}
    again = await client.post("/webhooks/tracking/yamakaze", content=raw, headers=headers)
    assert again.json() == {"accepted": 0, "duplicates": 1}


async def test_bad_and_stale_signatures_store_nothing(client, merchants, orders, clock):
    _, key, secret = merchants["yamakaze"]
    _, _, acme_secret = merchants["acme"]
    await put_shipment(client, key)
    body = events_body(ids=["ev-1"])
    now = clock().timestamp()
    cases = [
        {},                                                          # missing
        signed("wrong-secret", body, now)[1],                        # wrong secret
        signed(acme_secret, body, now)[1],                           # another merchant's secret
        signed(secret, body, now - 301)[1],                          # too old
        signed(secret, body, now + 301)[1],                          # from the future
        {"X-Orderhub-Signature": "garbage"},
        {"X-Orderhub-Signature": f"t={int(now)},v1="},
    ]
    raw = json.dumps(body).encode()
    for headers in cases:
        r = await client.post("/webhooks/tracking/yamakaze", content=raw, headers=headers)
        assert r.status_code == 401, headers
    # a valid signature over a different body
    _, headers = signed(secret, {"other": 1}, now)
    assert (await client.post("/webhooks/tracking/yamakaze", content=raw, headers=headers)).status_code == 401
    assert (await client.post("/webhooks/tracking/nobody", content=raw, headers=signed(secret, body, now)[1])).status_code == 401
    # within the tolerance is fine
    raw2, ok = signed(secret, body, now - 299)
    assert (await client.post("/webhooks/tracking/yamakaze", content=raw2, headers=ok)).status_code == 202
    assert await count(TrackingEvent) == 1


async def test_aftership_adapter(client, merchants, orders):
    _, key, secret = merchants["yamakaze"]
    await put_shipment(client, key)
    payload = {"event": "tracking_update", "msg": {
        "id": "as-1", "slug": "yamato-transport", "tracking_number": "401234567890", "tag": "Exception",
        "checkpoints": [
            {"checkpoint_time": "2026-11-18T07:00:00+09:00", "tag": "InTransit", "subtag": "InTransit_001",
             "message": "輸送中", "location": "厚木ゲートウェイ"},
            {"checkpoint_time": "2026-11-19T09:00:00+09:00", "tag": "Exception", "subtag": "Exception_009",
             "message": "悪天候のため遅延", "location": "渋谷センター"},
        ], "expected_delivery": "2026-11-21"}}
    raw = json.dumps(payload, ensure_ascii=False).encode()
    sig = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    bad = await client.post("/webhooks/aftership/yamakaze", content=raw, headers={"aftership-hmac-sha256": "x" + sig})
    assert bad.status_code == 401 and await count(TrackingEvent) == 0
    r = await client.post("/webhooks/aftership/yamakaze", content=raw, headers={"aftership-hmac-sha256": sig})
    assert r.status_code == 200 and r.json() == {"accepted": 2, "duplicates": 0}
    async with engine.read():
        ship = await Shipment.select(Shipment.status, Shipment.substatus, Shipment.estimate).first()
    assert (ship["status"], ship["substatus"], ship["estimate"].isoformat()) == ("exception", "weather", "2026-11-21")
    # an unknown parcel is acknowledged (no endless provider retries), stores nothing
    payload["msg"]["tracking_number"] = "0000-0000-0000"
    raw = json.dumps(payload).encode()
    sig = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    r = await client.post("/webhooks/aftership/yamakaze", content=raw, headers={"aftership-hmac-sha256": sig})
    assert r.status_code == 200 and r.json()["accepted"] == 0
    assert await count(TrackingEvent) == 2


async def test_easypost_adapter(client, merchants, orders):
    _, key, secret = merchants["acme"]
    await put_shipment(client, key, order="us_ship", name="tracking/ups_delayed.json")
    payload = {"object": "Event", "description": "tracker.updated", "result": {
        "object": "Tracker", "id": "trk_1", "tracking_code": "1Z999AA10123456784", "carrier": "UPS",
        "status": "out_for_delivery", "est_delivery_date": "2026-11-19T00:00:00Z",
        "tracking_details": [
            {"status": "pre_transit", "message": "Label created", "datetime": "2026-11-13T16:00:00Z",
             "tracking_location": {"city": "Secaucus", "state": "NJ", "country": "US"}},
            {"status": "out_for_delivery", "message": "Out For Delivery", "datetime": "2026-11-19T13:02:00Z",
             "tracking_location": {"city": "New York", "state": "NY", "country": "US"}},
        ]}}
    raw = json.dumps(payload).encode()
    sig = "hmac-sha256-hex=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    assert (await client.post("/webhooks/easypost/acme", content=raw,
                              headers={"X-Hmac-Signature": "hmac-sha256-hex=00"})).status_code == 401
    r = await client.post("/webhooks/easypost/acme", content=raw, headers={"X-Hmac-Signature": sig})
    assert r.status_code == 200 and r.json() == {"accepted": 2, "duplicates": 0}
    again = await client.post("/webhooks/easypost/acme", content=raw, headers={"X-Hmac-Signature": sig})
    assert again.json() == {"accepted": 0, "duplicates": 2}
    async with engine.read():
        ship = await Shipment.select(Shipment.status).first()
    assert ship["status"] == "out_for_delivery"


async def test_hundreds_of_concurrent_duplicate_webhook_deliveries_store_one_event(client, merchants, orders, clock):
    _, key, secret = merchants["yamakaze"]
    await put_shipment(client, key)
    raw, headers = signed(secret, events_body(ids=["ev-3"]), clock().timestamp())
    answers = await asyncio.gather(*(client.post("/webhooks/tracking/yamakaze", content=raw, headers=headers)
                                     for _ in range(300)))
    assert {a.status_code for a in answers} == {202}
    assert sum(a.json()["accepted"] for a in answers) == 1
    assert sum(a.json()["duplicates"] for a in answers) == 299
    assert await count(TrackingEvent) == 1
