"""Payment state (issue 19 items 1-2) as the storefront, the shopper and the merchant meet it: PUT
.../payment (idempotent, 422, 401, 404), the order's payment object, the hub's payment card, the
receipt refused until paid, the order confirmation, record_refund's credit note, and the email."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from orderhub.db import engine
from orderhub.db.documents.tables import CreditNote, DocumentRecord
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.orders.tables import Order
from orderhub.db.outbox.tables import WebhookDelivery
from orderhub.db.payments import services as payments
from tests.conftest import bearer, fixture
from tests.documents_support import pdf_text

DEADLINE = "2026-11-25T14:59:00+00:00"  # 23:59 on the 25th in Tokyo


def konbini_body(number: str = "YK-KONBINI-1") -> dict:
    body = copy.deepcopy(fixture("orders/jp_ship.json"))
    body["number"] = number
    body["payment"] = {"method": "konbini", "status": "pending", "deadline": DEADLINE, "reference": "7788-1122-3344"}
    return body


@pytest.fixture
async def konbini(client, merchants):
    key = merchants["yamakaze"][1]
    r = await client.put("/api/v1/orders/konbini-1", json=konbini_body(), headers=bearer(key))
    assert r.status_code == 201, r.text
    return {"key": key, "hub": r.json()["hub_url"].split("testserver.local")[-1]}


def squash(text: str) -> str:
    return " ".join(text.split())


async def _order_row(external_id: str) -> dict:
    async with engine.read():
        return await Order.select().where(Order.external_id == external_id).first()


async def test_old_order_bodies_are_paid_by_card(client, merchants, orders):
    r = await client.get("/api/v1/orders/jp_ship", headers=bearer(merchants["yamakaze"][1]))
    payment = r.json()["payment"]
    assert payment["status"] == "paid" and payment["method"] == "card" and payment["last4"] == "4242"
    assert payment["paid_at"].startswith("2026-11-16")  # paid when ordered, as before the state existed
    assert payment["refunded"] == "0"


async def test_pending_konbini_hub_shows_deadline_and_number_and_no_receipt(client, konbini):
    page = await client.get(konbini["hub"] + "?lang=ja")
    html = page.text
    assert 'data-payment="awaiting"' in html
    assert "7788-1122-3344" in html and "お支払い番号" in html
    assert "2026年11月25日 23:59" in html  # the deadline in the merchant's time zone (Tokyo)
    assert "コンビニ" in html
    assert 'data-document="receipt"' not in html and 'data-document="confirmation"' in html
    assert "領収書ではありません" in html
    en = (await client.get(konbini["hub"] + "?lang=en")).text
    assert "Please pay ¥17,560 at a convenience store by Nov 25, 2026, 11:59 PM." in en
    assert "Payment number" in en and "This is not a receipt." in en
    # the receipt is refused while the money is on its way; the confirmation says it is not one
    refused = await client.get(konbini["hub"] + "/receipt.pdf?lang=en")
    assert refused.status_code == 409
    assert "received the payment for this order yet, so there is no receipt" in refused.text
    assert (await client.get(konbini["hub"] + "/receipt?lang=en")).status_code == 409
    conf = await client.get(konbini["hub"] + "/confirmation.pdf?lang=ja")
    assert conf.status_code == 200 and conf.headers["content-type"] == "application/pdf"
    text = squash(pdf_text(conf.content))
    assert "注文確認書" in text and "領収書ではありません" in text and "領収書番号" not in text
    assert "お支払い待ち" in text


async def test_the_status_says_awaiting_payment_on_hub_and_api_until_paid(client, konbini):
    """One status for the unpaid konbini order: the hub's badge and the API's `status` say it waits for
    the payment (not "processing", which would promise preparation), and both move on once paid."""
    headers = {**bearer(konbini["key"])}
    ja = await client.get(konbini["hub"] + "?lang=ja")
    assert 'data-status="awaiting_payment">お支払い待ち<' in ja.text
    assert "お支払いを確認しだい、ご注文の準備を始めます。" in ja.text
    en = await client.get(konbini["hub"] + "?lang=en")
    assert 'data-status="awaiting_payment">Awaiting payment<' in en.text
    assert (await client.get("/api/v1/orders/konbini-1", headers=headers)).json()["status"] == "awaiting_payment"
    paid = await client.put("/api/v1/orders/konbini-1/payment", json={"status": "paid"}, headers=headers)
    assert paid.status_code == 200, paid.text
    assert (await client.get("/api/v1/orders/konbini-1", headers=headers)).json()["status"] == "processing"
    after = await client.get(konbini["hub"] + "?lang=en")
    assert 'data-status="processing">Processing<' in after.text and "awaiting_payment" not in after.text


async def test_put_payment_marks_paid_once_and_sends_one_email(client, konbini, clock):
    headers = bearer(konbini["key"])
    body = {"status": "paid", "paid_at": "2026-11-23T01:00:00+00:00"}
    first = await client.put("/api/v1/orders/konbini-1/payment", json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "paid" and first.json()["paid_at"] == "2026-11-23T01:00:00+00:00"
    assert first.json()["reference"] == "7788-1122-3344"
    again = await client.put("/api/v1/orders/konbini-1/payment", json=body, headers=headers)
    assert again.status_code == 200 and again.json() == first.json()
    async with engine.read():
        mails = await EmailMessage.select(EmailMessage.kind, EmailMessage.event).where(
            EmailMessage.kind == "payment_received")
        hooks = await WebhookDelivery.count().where(WebhookDelivery.event == "payment.received")
    assert mails == [{"kind": "payment_received", "event": "payment.received"}]
    assert hooks <= 1  # one per endpoint that wants it: the same body again announced nothing
    # the hub now offers the receipt, dated when the money arrived
    html = (await client.get(konbini["hub"] + "?lang=en")).text
    assert 'data-payment="paid"' in html and 'data-document="receipt"' in html
    assert 'data-document="confirmation"' not in html
    receipt = squash(pdf_text((await client.get(konbini["hub"] + "/receipt.pdf?lang=ja")).content))
    assert "領収書" in receipt and "2026年11月23日" in receipt
    order = (await client.get("/api/v1/orders/konbini-1", headers=headers)).json()
    assert order["payment"]["status"] == "paid" and order["payment"]["method"] == "konbini"


@pytest.mark.parametrize("body, field", [
    ({"status": "settled"}, "status"),
    ({}, "status"),
    ({"status": "paid", "paid_at": "yesterday"}, "paid_at"),
    ({"status": "paid", "paid_at": "2026-11-23T01:00:00"}, "paid_at"),  # no time zone
    ({"status": "pending", "paid_at": "2026-11-23T01:00:00+00:00"}, "paid_at"),
    ({"status": "paid", "reference": "x" * 65}, "reference"),
    ({"status": "paid", "amount": "100"}, "amount"),
    ({"status": "paid", "reference": "<script>\x00"}, "reference"),
])
async def test_bad_payment_bodies_are_422_with_the_field(client, konbini, body, field):
    r = await client.put("/api/v1/orders/konbini-1/payment", json=body, headers=bearer(konbini["key"]))
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]]
    assert (await _order_row("konbini-1"))["payment_status"] == "pending"


async def test_malformed_json_and_backward_moves_are_422(client, konbini):
    headers = bearer(konbini["key"])
    r = await client.put("/api/v1/orders/konbini-1/payment", content=b"{not json", headers=headers)
    assert r.status_code == 422 and r.json()["errors"]
    assert (await client.put("/api/v1/orders/konbini-1/payment", json={"status": "paid"},
                             headers=headers)).status_code == 200
    back = await client.put("/api/v1/orders/konbini-1/payment", json={"status": "pending"}, headers=headers)
    assert back.status_code == 422
    assert back.json()["errors"][0]["field"] == "status"
    assert "from paid to pending" in back.json()["errors"][0]["message"]


async def test_wrong_key_and_other_merchant(client, konbini, merchants):
    body = {"status": "paid"}
    assert (await client.put("/api/v1/orders/konbini-1/payment", json=body)).status_code == 401
    assert (await client.put("/api/v1/orders/konbini-1/payment", json=body,
                             headers=bearer("not-a-key"))).status_code == 401
    other = await client.put("/api/v1/orders/konbini-1/payment", json=body, headers=bearer(merchants["acme"][1]))
    assert other.status_code == 404
    assert (await _order_row("konbini-1"))["payment_status"] == "pending"


async def test_order_body_status_moves_forward_and_old_bodies_leave_it(client, konbini):
    headers = bearer(konbini["key"])
    old = konbini_body()
    del old["payment"]["status"]  # a later body that does not name the status leaves it as it is
    old["customer"]["name"] = "山田 花子"
    assert (await client.put("/api/v1/orders/konbini-1", json=old, headers=headers)).status_code == 200
    assert (await _order_row("konbini-1"))["payment_status"] == "pending"
    paid = konbini_body()
    paid["payment"]["status"] = "paid"
    assert (await client.put("/api/v1/orders/konbini-1", json=paid, headers=headers)).status_code == 200
    row = await _order_row("konbini-1")
    assert row["payment_status"] == "paid" and row["paid_at"] is not None


async def test_record_refund_issues_a_credit_note_after_a_receipt(client, orders, clock):
    token = orders["jp_ship"].token
    assert (await client.get(f"/o/{token}/receipt.pdf")).status_code == 200  # the receipt is issued
    clock.advance(days=3)
    await payments.record_refund(orders["jp_ship"].id, 2160, reason="キャンセル（行動食バー）", source="cancellation",
                                 now=clock())
    row = await _order_row("jp_ship")
    assert row["payment_status"] == "partially_refunded" and row["refunded_minor"] == 2160
    async with engine.read():
        note = await CreditNote.select().where(CreditNote.order == orders["jp_ship"].id).output(load_json=True).first()
    assert note["number"] == 1 and note["amount_minor"] == 2160
    assert sum(r["gross_minor"] for r in note["by_rate"]) == 2160
    html = (await client.get(f"/o/{token}?lang=ja")).text
    assert 'data-document="credit-note"' in html and "C-000001" in html
    pdf = await client.get(f"/o/{token}/credit-notes/1?lang=ja")
    assert pdf.status_code == 200
    text = squash(pdf_text(pdf.content))
    assert "適格返還請求書" in text
    assert "2026年11月16日" in text  # the original transaction
    assert "2026年11月25日" in text  # the refund
    assert "¥2,160" in text and "R-000001" in text
    assert (await client.get(f"/o/{token}/credit-notes/2")).status_code == 404
    assert (await client.get(f"/o/{orders['jp_pickup'].token}/credit-notes/1")).status_code == 404
    # the rest, and nothing more
    await payments.record_refund(orders["jp_ship"].id, 17560 - 2160, reason="", source="return", now=clock())
    assert (await _order_row("jp_ship"))["payment_status"] == "refunded"
    from orderhub.db.errors import Conflict

    with pytest.raises(Conflict):
        await payments.record_refund(orders["jp_ship"].id, 1, reason="", source="return", now=clock())
    api = (await client.get("/api/v1/orders/jp_ship", headers=bearer("x"))).status_code
    assert api == 401


async def test_record_refund_without_a_receipt_issues_no_credit_note(orders, clock):
    await payments.record_refund(orders["us_ship"].id, 1000, reason="", source="cancellation", now=clock())
    async with engine.read():
        assert await CreditNote.count() == 0
        assert await DocumentRecord.count() == 0


async def test_record_refund_joins_the_callers_transaction(orders, clock):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with engine.write():
            await payments.record_refund(orders["us_ship"].id, 1000, reason="", source="cancellation", now=clock())
            raise Boom
    assert (await _order_row("us_ship"))["payment_status"] == "paid"


async def test_pending_refund_voids_and_cod_receipt_after_delivery(client, merchants, clock):
    key = merchants["yamakaze"][1]
    body = konbini_body("YK-COD-1")
    body["payment"] = {"method": "cod", "status": "pending"}
    r = await client.put("/api/v1/orders/cod-1", json=body, headers=bearer(key))
    hub = r.json()["hub_url"].split("testserver.local")[-1]
    html = (await client.get(hub + "?lang=en")).text
    assert 'data-payment="on_delivery"' in html and "Your receipt is ready after delivery." in html
    assert (await client.get(hub + "/receipt.pdf")).status_code == 409
    async with engine.write():
        await Order.update({Order.fulfillment_status: "delivered"}).where(Order.external_id == "cod-1")
    assert (await client.get(hub + "/receipt.pdf")).status_code == 200
    # a konbini order never paid and refunded whole is voided (nothing was charged)
    r = await client.put("/api/v1/orders/konbini-2", json=konbini_body("YK-K-2"), headers=bearer(key))
    await payments.record_refund(int(r.json()["id"]), 17560, reason="", source="cancellation", now=clock())
    assert (await _order_row("konbini-2"))["payment_status"] == "voided"


async def test_payment_deadline_passed(client, konbini, clock):
    clock.now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    html = (await client.get(konbini["hub"] + "?lang=en")).text
    assert 'data-payment="awaiting_late"' in html and "has passed" in html
