"""The short LINE / SMS / push texts of the return events say the fact that matters, in Japanese and
English, from the same facts as the email: the send-by day, the pickup slot in words, the difference to
pay, the parcel's tracking number. Rendered from the very events the flows emitted (their email rows)."""

from __future__ import annotations

import re

from orderhub.channels.render import render as render_channel
from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.emails.render import render as render_email
from tests.conftest import bearer

BOOKING = {"id": 7, "carrier": "yamato", "timezone": "Asia/Tokyo", "starts_at": "2026-11-24T05:00:00+00:00",
           "ends_at": "2026-11-24T07:00:00+00:00", "cutoff": "2026-11-23T15:00:00+00:00",
           "address": {"city": "渋谷区", "region": "東京都", "country": "JP"}}
EARLIER = {**BOOKING, "starts_at": "2026-11-24T00:00:00+00:00", "ends_at": "2026-11-24T03:00:00+00:00"}


async def _rows(*events: str) -> list[dict]:
    async with engine.read():
        return await EmailMessage.select(EmailMessage.kind, EmailMessage.event, EmailMessage.payload,
                                         EmailMessage.order_id).output(load_json=True).where(
            EmailMessage.event.is_in(list(events))).order_by(EmailMessage.id)


async def _texts(row: dict, settings) -> dict[str, str]:
    out = {}
    for lang in ("ja", "en"):
        message = await render_channel({
            "id": 1, "merchant": 1, "order_id": row["order_id"], "channel": "line", "event": row["event"],
            "kind": row["kind"], "recipient": "U1", "locale": lang, "attempts": 0, "payload": row["payload"]},
            settings)
        assert message is not None
        out[lang] = message.text
    return out


async def _email(row: dict, settings, clock, lang: str) -> str:
    rendered = await render_email(row["kind"], row["event"], row["payload"], row["order_id"], lang, settings,
                                  now=clock())
    return rendered.text


async def test_approved_and_slip_texts_carry_the_send_by_day(client, orders, merchants, settings, clock):
    from tests.integration.test_slip_numbers import _slip_return

    rid = await _slip_return(client, orders, merchants, settings, clock)
    [approved] = await _rows("return.approved")
    texts = await _texts(approved, settings)
    assert texts["en"].startswith("[Yamakaze Outdoor] Your return RMA-000001 is approved. Please send it by ")
    day_en = re.search(r"send it by (.+?)\.", texts["en"]).group(1)
    assert day_en == "Dec 6, 2026" and day_en in await _email(approved, settings, clock, "en")
    assert "2026年12月6日までに" in texts["ja"] and "2026年12月6日" in await _email(approved, settings, clock, "ja")
    assert f"/o/{orders['jp_ship'].token}/returns" in texts["ja"]

    [label] = await _rows("return.label_created")
    texts = await _texts(label, settings)
    assert ("Your collect-on-delivery slip for return RMA-000001 is ready: send it with Yamato Transport by "
            "Dec 6, 2026.") in texts["en"]
    assert "ヤマト運輸" in texts["ja"] and "2026年12月6日" in texts["ja"] and "着払い" in texts["ja"]
    assert not re.search(r"[\u3040-\u30ff]", texts["en"].split("]", 1)[1])  # no Japanese past the shop's name

    # on its way: the tracking number the carrier's events came with
    key = merchants["yamakaze"][1]
    await client.put(f"/api/v1/returns/{rid}/label/tracking-number", json={"tracking_number": "444413758703"},
                     headers=bearer(key))
    body = {"carrier": "yamato", "tracking_number": "444413758703",
            "events": [{"id": "t1", "status": "in_transit", "occurred_at": clock().isoformat()}]}
    assert (await client.post("/api/v1/tracking-events", json=body, headers=bearer(key))).status_code == 202
    [moving] = await _rows("return.in_transit")
    texts = await _texts(moving, settings)
    assert "(Yamato Transport, tracking number 444413758703)" in texts["en"] and "444413758703" in texts["ja"]


async def test_home_pickup_texts_name_the_slot_as_the_email_does(orders, merchants, settings, clock):
    order_id = orders["jp_ship"].id
    cases = {
        "pickup_booked": ("return.pickup_booked", {"return_id": 0, "number": "RMA-000009", "pickup": BOOKING}),
        "pickup_rescheduled": ("return.pickup_rescheduled",
                               {"return_id": 0, "number": "RMA-000009", "pickup": BOOKING, "previous": EARLIER}),
        "pickup_cancelled": ("return.pickup_cancelled", {"return_id": 0, "number": "RMA-000009", "pickup": BOOKING}),
    }
    said = {}
    for kind, (event, payload) in cases.items():
        row = {"kind": kind, "event": event, "payload": payload, "order_id": order_id}
        said[kind] = await _texts(row, settings)
        assert "11月24日（火）14〜16時" in said[kind]["ja"] and "11月24日（火）14〜16時" in await _email(
            row, settings, clock, "ja")
        assert "Tue 24 Nov, 2–4 pm" in said[kind]["en"] and "Tue 24 Nov, 2–4 pm" in await _email(
            row, settings, clock, "en")
    assert "Yamato Transport will collect your return RMA-000009 on Tue 24 Nov, 2–4 pm." in said["pickup_booked"]["en"]
    assert "is moved to Tue 24 Nov, 2–4 pm" in said["pickup_rescheduled"]["en"]
    assert "on Tue 24 Nov, 2–4 pm is cancelled" in said["pickup_cancelled"]["en"]
    assert "ヤマト運輸" in said["pickup_booked"]["ja"] and "キャンセル" in said["pickup_cancelled"]["ja"]


async def test_exchange_texts_say_the_difference_to_pay(client, orders, merchants, settings, clock):
    from tests.integration.test_exchange_other import _exchange
    from tests.returns_support import fulfil

    await fulfil(orders["jp_ship"].id)
    key = merchants["yamakaze"][1]
    base = f"/o/{orders['jp_ship'].token}/returns"
    rid, _ = await _exchange(client, base, [("trail-runner", "TR-255-BLK", 1), ("merino-socks", "SOCK-M-GRY", 1)])
    await client.put(f"/api/v1/returns/{rid}/exchange", headers=bearer(key),
                     json={"payment_url": "https://shop.example.jp/pay/abc"})
    created, due = await _rows("exchange.created", "exchange.payment_due")
    texts = await _texts(created, settings)
    assert "The new items cost ¥880 more: we will send you a link to pay the difference." in texts["en"]
    assert "¥880" in texts["ja"] and "¥880" in await _email(created, settings, clock, "en")
    texts = await _texts(due, settings)
    assert "Pay the difference of ¥880 for your exchange, and we send your replacement." in texts["en"]
    assert "¥880" in texts["ja"] and "差額" in texts["ja"]


async def test_other_kinds_keep_their_short_text(orders, settings):
    row = {"kind": "shipped", "event": "shipment.shipped", "payload": {"shipment_id": "S-1"},
           "order_id": orders["jp_ship"].id}
    texts = await _texts(row, settings)
    assert "Your order YK-100234 has shipped." in texts["en"]
