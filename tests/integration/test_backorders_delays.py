"""Pre-shipment honesty (issue 19 item 5): backordered lines with an expected ship date in the order
API and on the hub, the `order.delayed` job (email and signed webhook once per expected date, safe
beside a second job process), and "unshipped and late" in the merchant's attention list."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json

import httpx
import pytest

from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.orders import delays
from orderhub.db.outbox import rules as outbox_rules
from orderhub.db.outbox import services as outbox
from orderhub.db.outbox.tables import WebhookDelivery
from orderhub.emails.render import render
from tests.admin_ops_support import signed_in
from tests.conftest import bearer, fixture
from tests.returns_support import fulfil

#: Friday 20 Nov 2026, 10:00 in Tokyo: one processing day, and Monday 23 Nov is a holiday (勤労感謝の日),
#: so the processing promise is Tuesday 24 Nov; the test clock starts on Sunday 22 Nov
PLACED = "2026-11-20T10:00:00+09:00"


def order_body(backorders: dict[str, tuple[int, str | None]] | None = None, **changes) -> dict:
    body = copy.deepcopy(fixture("orders/jp_ship.json")) | {"number": "YK-BO-0001", "placed_at": PLACED} | changes
    for line in body["lines"]:
        units, date = (backorders or {}).get(line["id"], (0, None))
        if units:
            line["backordered"] = units
        if date:
            line["expected_ship_date"] = date
    return body


async def put(client, key: str, body: dict, external_id: str = "bo-1"):
    return await client.put(f"/api/v1/orders/{external_id}", headers=bearer(key), json=body)


async def _order_id(client, key: str, external_id: str = "bo-1") -> int:
    got = await client.get(f"/api/v1/orders/{external_id}", headers=bearer(key))
    assert got.status_code == 200, got.text
    return int(got.json()["id"])


# -- the API and the hub ----------------------------------------------------------------------------

async def test_backordered_lines_in_the_api_and_on_the_hub(client, merchants):
    key = merchants["yamakaze"][1]
    body = order_body({"L1": (1, None), "L2": (2, "2026-12-01")})
    created = await put(client, key, body)
    assert created.status_code == 201, created.text
    assert (await put(client, key, body)).status_code == 200  # the same body again changes nothing
    got = (await client.get("/api/v1/orders/bo-1", headers=bearer(key))).json()
    assert got["lines"] == [
        {"id": "L1", "quantity": 1, "cancelled_quantity": 0, "backordered": 1, "expected_ship_date": None},
        {"id": "L2", "quantity": 2, "cancelled_quantity": 0, "backordered": 2, "expected_ship_date": "2026-12-01"},
        {"id": "L3", "quantity": 1, "cancelled_quantity": 0, "backordered": 0, "expected_ship_date": None},
    ]
    # the delivery promise of the items still to ship counts from the storefront's date (Tue 1 Dec):
    # two to four business days in transit, as everywhere the promise is shown
    assert (got["promise"]["date_from"], got["promise"]["date_to"], got["promise"]["late"]) == (
        "2026-12-03", "2026-12-07", False)
    hub = created.json()["hub_url"].removeprefix("http://testserver.local")
    ja = await client.get(hub + "?lang=ja")
    assert ja.status_code == 200
    assert ja.text.count("入荷待ち") == 2 and "12月1日(火)頃に発送予定" in ja.text
    assert "発送しましたらメールでお知らせします。" in ja.text  # L1: no date yet
    en = await client.get(hub + "?lang=en")
    assert "Expected to ship around Tuesday, December 1" in en.text and en.text.count(">Backordered<") == 2

    # part of a line backordered says how many; units that shipped are no longer waiting
    await put(client, key, order_body({"L2": (1, "2026-12-01")}))
    en = await client.get(hub + "?lang=en")
    assert "1 of 2 backordered" in en.text
    await fulfil(int(got["id"]), lines={"L2": 2})
    got = (await client.get("/api/v1/orders/bo-1", headers=bearer(key))).json()
    assert got["lines"][1] == {"id": "L2", "quantity": 2, "cancelled_quantity": 0, "backordered": 0, "expected_ship_date": None}
    assert "backordered" not in (await client.get(hub + "?lang=en")).text.lower()


@pytest.mark.parametrize(("line", "value", "field"), [
    ("backordered", 3, "lines[1].backordered"),  # L2 has 2 units
    ("backordered", -1, "lines[1].backordered"),
    ("backordered", "2", "lines[1].backordered"),
    ("backordered", 1.5, "lines[1].backordered"),
    ("expected_ship_date", "2026-13-01", "lines[1].expected_ship_date"),
    ("expected_ship_date", "<script>", "lines[1].expected_ship_date"),
    ("expected_ship_date", "2026-10-01", "lines[1].expected_ship_date"),  # before the order
])
async def test_bad_backorders_answer_422_and_store_nothing(client, merchants, line, value, field):
    key = merchants["yamakaze"][1]
    good = order_body({"L2": (1, "2026-12-01")})
    assert (await put(client, key, good)).status_code == 201
    bad = copy.deepcopy(good)
    bad["lines"][1][line] = value
    answer = await put(client, key, bad)
    assert answer.status_code == 422
    assert field in {e["field"] for e in answer.json()["errors"]}
    got = (await client.get("/api/v1/orders/bo-1", headers=bearer(key))).json()
    assert got["lines"][1] == {"id": "L2", "quantity": 2, "cancelled_quantity": 0, "backordered": 1,
                               "expected_ship_date": "2026-12-01"}
    assert (await put(client, key, bad, "bo-new")).status_code == 422
    assert (await client.get("/api/v1/orders/bo-new", headers=bearer(key))).status_code == 404


async def test_a_date_without_units_is_refused(client, merchants):
    body = order_body()
    body["lines"][0]["expected_ship_date"] = "2026-12-01"
    answer = await put(client, merchants["yamakaze"][1], body)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["lines[0].expected_ship_date"]


# -- the delayed job --------------------------------------------------------------------------------

async def _sent(event: str = "order.delayed") -> tuple[list[dict], list[dict]]:
    async with engine.read():
        hooks = await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.payload).where(
            WebhookDelivery.event == event).output(load_json=True).order_by(WebhookDelivery.id)
        mails = await EmailMessage.select(EmailMessage.kind, EmailMessage.event, EmailMessage.payload,
                                          EmailMessage.order_id, EmailMessage.locale).where(
            EmailMessage.event == event).output(load_json=True).order_by(EmailMessage.id)
    return hooks, mails


async def test_the_delay_is_announced_once_per_expected_date(client, merchants, settings, clock):
    merchant, key = merchants["yamakaze"][0], merchants["yamakaze"][1]
    _, secret = await outbox.add_endpoint(merchant.id, "https://hooks.yamakaze.example/in", now=clock())
    assert (await put(client, key, order_body())).status_code == 201
    order_id = await _order_id(client, key)

    assert await delays.announce_delays(clock()) == []  # Sunday: the promise is Tuesday
    clock.advance(days=2)  # Tuesday noon: the promised day itself is not late
    assert await delays.announce_delays(clock()) == []
    clock.advance(days=1)  # Wednesday 25 Nov, noon in Tokyo: late; an order placed now leaves Thursday
    assert await delays.announce_delays(clock()) == [order_id]
    assert await delays.announce_delays(clock()) == []  # a second run: nothing new
    hooks, mails = await _sent()
    assert len(hooks) == 1 and len(mails) == 1
    assert hooks[0]["payload"]["expected_ship_date"] == "2026-11-26"
    assert hooks[0]["payload"]["promised_ship_date"] == "2026-11-24"
    assert hooks[0]["payload"]["order_number"] == "YK-BO-0001" and hooks[0]["payload"]["expected_from"] == "estimate"
    assert mails[0]["kind"] == "order_delayed" and mails[0]["locale"] == "ja"

    # the webhook goes out signed with the merchant's secret
    seen = []

    def receiver(request: httpx.Request) -> httpx.Response:
        assert outbox_rules.verify(secret, request.content, request.headers["x-orderhub-signature"], clock())
        seen.append(json.loads(request.content))
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as http:
        assert (await outbox.deliver_due(http, now=clock()))["dead"] == 0
    delayed = [s for s in seen if s["type"] == "order.delayed"]
    assert len(delayed) == 1 and delayed[0]["data"]["expected_ship_date"] == "2026-11-26"

    # the email says the same date, in Japanese and in English
    ja = await render("order_delayed", "order.delayed", mails[0]["payload"], order_id, "ja", settings, now=clock())
    en = await render("order_delayed", "order.delayed", mails[0]["payload"], order_id, "en", settings, now=clock())
    assert ja is not None and en is not None
    assert "YK-BO-0001" in ja.subject and "発送準備に時間" in ja.subject
    assert "11月26日(木)頃の発送を見込んでいます" in ja.text
    assert "Order YK-BO-0001 is taking longer to ship" == en.subject
    assert "We now expect to ship it around Thursday, November 26." in en.text

    # the storefront backorders a line to a later date: news once more, with the backordered item
    assert (await put(client, key, order_body({"L2": (2, "2026-12-03")}))).status_code == 200
    assert await delays.announce_delays(clock()) == [order_id]
    assert await delays.announce_delays(clock()) == []
    # an earlier date than the one announced is not news
    assert (await put(client, key, order_body({"L2": (2, "2026-12-01")}))).status_code == 200
    assert await delays.announce_delays(clock()) == []
    hooks, mails = await _sent()
    assert [h["payload"]["expected_ship_date"] for h in hooks] == ["2026-11-26", "2026-12-03"]
    assert hooks[1]["payload"]["backordered"] == [{"line_id": "L2", "quantity": 2, "expected_ship_date": "2026-12-03"}]
    assert len(mails) == 2
    en = await render("order_delayed", "order.delayed", mails[1]["payload"], order_id, "en", settings, now=clock())
    assert en is not None and "Thursday, December 3" in en.text and "These items are waiting for stock:" in en.text

    # the attention list says it, with what the shopper was told
    attention = (await client.get("/api/v1/shipments/attention", headers=bearer(key))).json()
    assert [(o["order_number"], o["announced_for"], o["expected_ship_date"]) for o in attention["unshipped_late"]] \
        == [("YK-BO-0001", "2026-12-03", "2026-12-01")]
    other = (await client.get("/api/v1/shipments/attention", headers=bearer(merchants["acme"][1]))).json()
    assert other["unshipped_late"] == []
    assert (await client.get("/api/v1/shipments/attention", headers=bearer("wrong"))).status_code == 401

    # once everything shipped, it is no longer late and nothing more is sent
    await fulfil(order_id)
    async with engine.write():
        from orderhub.db.orders.tables import Order

        await Order.update({Order.fulfillment_status: "shipped"}).where(Order.id == order_id)
    clock.advance(days=30)
    assert await delays.announce_delays(clock()) == []
    assert (await client.get("/api/v1/shipments/attention", headers=bearer(key))).json()["unshipped_late"] == []


async def test_two_job_processes_announce_once(client, merchants, clock):
    key = merchants["yamakaze"][1]
    await outbox.add_endpoint(merchants["yamakaze"][0].id, "https://hooks.yamakaze.example/in", now=clock())
    for n in range(3):
        body = order_body(number=f"YK-BO-000{n + 1}")
        assert (await put(client, key, body, f"bo-{n}")).status_code == 201
    clock.advance(days=3)
    first, second = await asyncio.gather(delays.announce_delays(clock()), delays.announce_delays(clock()))
    assert len(first) + len(second) == 3 and not set(first) & set(second)
    hooks, mails = await _sent()
    assert len(hooks) == 3 and len(mails) == 3
    assert len({m["order_id"] for m in mails}) == 3


async def test_cancelled_and_pickup_orders_are_never_late(client, merchants, clock):
    key = merchants["yamakaze"][1]
    pickup = copy.deepcopy(fixture("orders/jp_pickup.json")) | {"placed_at": PLACED, "number": "YK-BO-0009"}
    assert (await put(client, key, pickup, "bo-pickup")).status_code == 201
    assert (await put(client, key, order_body(), "bo-cancel")).status_code == 201
    async with engine.write():
        from orderhub.db.orders.tables import Order

        await Order.update({Order.cancelled_at: clock()}).where(Order.external_id == "bo-cancel")
    clock.advance(days=10)
    assert await delays.late_orders(clock()) == []
    assert await delays.announce_delays(clock()) == []


async def test_the_admin_attention_list_shows_unshipped_and_late(client, merchants, clock):
    key = merchants["yamakaze"][1]
    assert (await put(client, key, order_body({"L2": (2, "2026-12-03")}))).status_code == 201
    clock.now = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
    await signed_in(client, clock)
    en = await client.get("/admin/shipments?lang=en")
    assert en.status_code == 200
    assert "Unshipped and late" in en.text and "YK-BO-0001" in en.text and "Dec 3, 2026" in en.text
    assert "Not yet" in en.text
    await delays.announce_delays(clock())
    ja = await client.get("/admin/shipments?lang=ja")
    assert "未発送・遅延" in ja.text and "通知済み" in ja.text
    client.cookies.clear()
    await signed_in(client, clock, slug="acme")
    assert "YK-BO-0001" not in (await client.get("/admin/shipments?lang=en")).text


async def test_cancelled_units_are_neither_backordered_nor_late(client, merchants, clock):
    """The storefront cancels the backordered line (per-line cancelled_quantity): the hub and API stop
    announcing it, and the rest having shipped, the order is not late."""
    key = merchants["yamakaze"][1]
    body = order_body({"L2": (2, "2026-12-01")})
    assert (await put(client, key, body)).status_code == 201
    for line in body["lines"]:
        if line["id"] == "L2":
            line["cancelled_quantity"] = 2
    assert (await put(client, key, body)).status_code == 200
    got = (await client.get("/api/v1/orders/bo-1", headers=bearer(key))).json()
    assert got["lines"][1] == {"id": "L2", "quantity": 2, "cancelled_quantity": 2, "backordered": 0,
                               "expected_ship_date": None}
    order_id = await _order_id(client, key)
    await fulfil(order_id, lines={"L1": 1, "L3": 1})
    clock.advance(days=10)
    assert await delays.late_orders(clock()) == []


async def test_an_unpaid_konbini_order_is_prepared_only_once_paid(client, merchants, clock):
    """Nothing is prepared before a konbini payment: a pending one is never late (no order.delayed),
    its promise counts from today, and once paid the processing promise counts from the payment."""
    key = merchants["yamakaze"][1]
    pending = {"method": "konbini", "status": "pending", "deadline": "2026-12-30T14:59:00Z", "reference": "1-2"}
    assert (await put(client, key, order_body(payment=pending))).status_code == 201
    clock.advance(days=10)  # Wednesday 2 Dec: a card order placed on 20 Nov would be late by now
    assert await delays.late_orders(clock()) == []
    assert await delays.announce_delays(clock()) == []
    got = (await client.get("/api/v1/orders/bo-1", headers=bearer(key))).json()
    assert got["promise"]["late"] is False and got["promise"]["date_from"] >= clock().date().isoformat()
    paid = await client.put("/api/v1/orders/bo-1/payment", headers=bearer(key), json={"status": "paid"})
    assert paid.status_code == 200, paid.text
    assert await delays.late_orders(clock()) == []  # paid today: its processing day is ahead
    clock.advance(days=10)
    assert [late.external_id for late in await delays.late_orders(clock())] == ["bo-1"]
