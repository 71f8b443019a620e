"""The delivery promise beyond the shopper's pages: the merchant's attention list and API use its
`late` (a predicted parcel past its promise is listed), "arriving tomorrow" is announced when the
promise says so in the merchant's time zone, and every outbound `shipment.*` webhook carries it."""

from __future__ import annotations

import datetime as dt
import html
import re

from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.merchants.tables import Merchant
from orderhub.db.outbox import services as outbox
from orderhub.db.outbox.tables import WebhookDelivery
from orderhub.db.shipping.jobs import arriving_tomorrow
from orderhub.emails.render import render
from tests.admin_ops_support import signed_in
from tests.conftest import bearer
from tests.tracking_support import post_events

JST = dt.timezone(dt.timedelta(hours=9))
EST = dt.timezone(dt.timedelta(hours=-5))
PARCEL = {"carrier": "yamato", "tracking_number": "4012-3456-7890", "lines": [{"line_id": "L1", "quantity": 1}],
          "shipped_at": "2026-11-17T10:00:00+09:00"}  # Tue, before the 15:00 cut-off; no carrier date


def text(body: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def scan(event_id: str, status: str, at: str) -> dict:
    return {"carrier": "yamato", "tracking_number": "4012-3456-7890",
            "events": [{"id": event_id, "status": status, "occurred_at": at, "location": "東京都"}]}


async def _transit(merchant_id: int, days: int, days_max: int) -> None:
    async with engine.write():
        row = await Merchant.select(Merchant.settings).where(Merchant.id == merchant_id).output(load_json=True).first()
        settings = {**(row["settings"] or {}), "delivery": {"transit_days": days, "transit_days_max": days_max}}
        await Merchant.update({Merchant.settings: settings}).where(Merchant.id == merchant_id)


async def _payloads(merchant_id: int, event: str) -> list[dict]:
    async with engine.read():
        rows = await WebhookDelivery.select(WebhookDelivery.payload).where(
            (WebhookDelivery.merchant == merchant_id) & (WebhookDelivery.event == event)).order_by(
            WebhookDelivery.id).output(load_json=True)
    return [r["payload"] for r in rows]


async def _attention(client, key) -> dict:
    r = await client.get("/api/v1/shipments/attention", headers=bearer(key))
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_predicted_parcel_past_its_promise_is_on_the_attention_list(client, merchants, orders, clock):
    merchant, key, _ = merchants["yamakaze"]
    r = await client.put("/api/v1/orders/jp_ship/shipments/S1", headers=bearer(key), json=PARCEL)
    assert r.status_code == 201, r.text
    # a scan every day keeps it from being stalled; the SLA (2-4 business days) promises Thu 11/19 to
    # Tue 11/24 (Mon 11/23 is Labour Thanksgiving Day)
    assert (await post_events(client, key, scan("s1", "in_transit", "2026-11-24T10:00:00+09:00"))).status_code == 202
    clock.now = dt.datetime(2026, 11, 24, 18, tzinfo=JST)
    flags = await _attention(client, key)
    assert flags["late"] == [] and flags["stalled"] == []
    hub = text((await client.get(f"/o/{orders['jp_ship'].token}?lang=en")).text)
    assert "Late since" not in hub
    # the next morning the promise has passed: the shopper's page says late, and so does the merchant's list
    clock.now = dt.datetime(2026, 11, 25, 9, tzinfo=JST)
    hub = text((await client.get(f"/o/{orders['jp_ship'].token}?lang=en")).text)
    assert "Late since Wed 11/25" in hub
    flags = await _attention(client, key)
    assert [(s["order_number"], s["late"], s["stalled"]) for s in flags["late"]] == [("YK-100234", True, False)]
    api = (await client.get("/api/v1/orders/jp_ship", headers=bearer(key))).json()
    assert flags["late"][0]["promise"] == api["shipments"][0]["promise"]
    assert api["shipments"][0]["promise"] == {
        "kind": "predicted", "date_from": "2026-11-19", "date_to": "2026-11-24", "late": True,
        "late_since": "2026-11-25", "trending_late": False, "delivered_at": None}
    # the admin's list (both languages) shows it, marked late and not stalled
    await signed_in(client, clock)
    for lang, late_word in (("en", "Late"), ("ja", "遅延")):
        page = await client.get(f"/admin/shipments?lang={lang}")
        assert page.status_code == 200
        body = text(page.text)
        assert "YK-100234" in body and late_word in body
    # another merchant sees none of it; a bad key is refused
    assert (await _attention(client, merchants["acme"][1]))["late"] == []
    assert (await client.get("/api/v1/shipments/attention", headers=bearer("nope"))).status_code == 401
    # once delivered it leaves the list
    await post_events(client, key, scan("s2", "delivered", "2026-11-25T11:00:00+09:00"))
    assert (await _attention(client, key))["late"] == []


async def test_arriving_tomorrow_follows_our_own_prediction(client, merchants, orders, clock, settings):
    merchant, key, _ = merchants["yamakaze"]
    await outbox.add_endpoint(merchant.id, "https://hooks.yamakaze.example/in", now=clock())
    clock.now = dt.datetime(2026, 11, 17, 11, tzinfo=JST)
    assert (await client.put("/api/v1/orders/jp_ship/shipments/S1", headers=bearer(key), json=PARCEL)).status_code == 201
    # the SLA's range (Thu 11/19 to Tue 11/24) is never "tomorrow"
    assert await arriving_tomorrow(None, clock) == 0
    # one business day on every lane: handed over Tue 11/17 before the cut-off, promised Wed 11/18
    await _transit(merchant.id, 1, 1)
    assert await arriving_tomorrow(None, clock) == 1
    assert await arriving_tomorrow(None, clock) == 0
    [told] = await _payloads(merchant.id, "shipment.arriving_tomorrow")
    api = (await client.get("/api/v1/orders/jp_ship", headers=bearer(key))).json()
    assert told["estimated_delivery"] is None  # no carrier date: the promise is ours
    assert told["promise"] == api["shipments"][0]["promise"]
    assert (told["promise"]["kind"], told["promise"]["date_to"]) == ("predicted", "2026-11-18")
    async with engine.read():
        kinds = [r["kind"] for r in await EmailMessage.select(EmailMessage.kind).where(
            EmailMessage.order_id == orders["jp_ship"].id)]
    assert kinds.count("arriving_tomorrow") == 1
    for lang, words in (("en", "Wed 11/18"), ("ja", "11月18日(水)")):
        mail = await render("arriving_tomorrow", "shipment.arriving_tomorrow", told, orders["jp_ship"].id, lang,
                            settings, now=clock())
        assert words in text(mail.html) and words in mail.text
    # the next day it is "today": not told again
    clock.now = dt.datetime(2026, 11, 18, 8, tzinfo=JST)
    assert await arriving_tomorrow(None, clock) == 0


async def test_arriving_tomorrow_is_decided_in_the_merchants_time_zone(client, merchants, orders, clock):
    acme, key, _ = merchants["acme"]
    r = await client.put("/api/v1/orders/us_ship/shipments/S1", headers=bearer(key), json={
        "carrier": "ups", "tracking_number": "1Z999AA10123456784", "lines": [{"line_id": "1", "quantity": 1}],
        "shipped_at": "2026-11-16T09:00:00-05:00", "estimated_delivery": "2026-11-18"})
    assert r.status_code == 201, r.text
    # 21:00 on Mon 11/16 in New York is already Tue 11/17 in UTC: the 18th is tomorrow for the merchant
    clock.now = dt.datetime(2026, 11, 16, 21, tzinfo=EST)
    assert await arriving_tomorrow(None, clock) == 0  # the 18th is two days away in New York
    clock.now = dt.datetime(2026, 11, 17, 21, tzinfo=EST)  # 02:00 on the 18th in UTC: a UTC day says "today"
    assert await arriving_tomorrow(None, clock) == 1
    assert await _payloads(acme.id, "shipment.arriving_tomorrow") == []  # acme has no endpoint: the email alone
    async with engine.read():
        rows = await EmailMessage.select(EmailMessage.kind).where(EmailMessage.order_id == orders["us_ship"].id)
    assert [r["kind"] for r in rows].count("arriving_tomorrow") == 1


async def test_every_shipment_webhook_carries_the_promise(client, merchants, orders, clock):
    merchant, key, _ = merchants["yamakaze"]
    await outbox.add_endpoint(merchant.id, "https://hooks.yamakaze.example/in", events=["shipment.*"], now=clock())
    clock.now = dt.datetime(2026, 11, 17, 11, tzinfo=JST)
    assert (await client.put("/api/v1/orders/jp_ship/shipments/S1", headers=bearer(key), json=PARCEL)).status_code == 201
    [shipped] = await _payloads(merchant.id, "shipment.shipped")
    api = (await client.get("/api/v1/orders/jp_ship", headers=bearer(key))).json()
    assert shipped["promise"] == api["shipments"][0]["promise"]
    assert (shipped["promise"]["kind"], shipped["promise"]["date_from"], shipped["promise"]["date_to"]) == (
        "predicted", "2026-11-19", "2026-11-24")
    # out for delivery: today; delivered: the delivered time, as the API answers at that moment
    clock.now = dt.datetime(2026, 11, 19, 8, tzinfo=JST)
    await post_events(client, key, scan("s1", "out_for_delivery", "2026-11-19T07:30:00+09:00"))
    [out] = await _payloads(merchant.id, "shipment.out_for_delivery")
    assert out["promise"] == (await client.get("/api/v1/orders/jp_ship", headers=bearer(key))).json()[
        "shipments"][0]["promise"]
    assert (out["promise"]["date_from"], out["promise"]["date_to"]) == ("2026-11-19", "2026-11-19")
    clock.now = dt.datetime(2026, 11, 19, 15, tzinfo=JST)
    await post_events(client, key, scan("s2", "delivered", "2026-11-19T14:05:00+09:00"))
    [done] = await _payloads(merchant.id, "shipment.delivered")
    assert done["promise"] == {"kind": "delivered", "date_from": "2026-11-19", "date_to": "2026-11-19", "late": False,
                               "late_since": None, "trending_late": False,
                               "delivered_at": "2026-11-19T05:05:00+00:00"}
