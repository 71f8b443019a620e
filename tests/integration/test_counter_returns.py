"""Returns at the counter (`/staff/returns`, issue 20 item 1): a clerk finds a return by its code (typed,
or the QR payload; also from the pickup screen), grades each item and receives it; the refund follows
the merchant's setting; undo within the pickup's window. Refusals: signed out, forged session, wrong
store, other merchant, not approved, already received, missing CSRF, hostile input; nothing is half
written."""

from __future__ import annotations

import re

import pytest

from orderhub.db import engine
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant, Store
from orderhub.db.orders.tables import Order, OrderLine
from orderhub.db.outbox.tables import WebhookDelivery
from orderhub.db.returns.tables import ReturnEvent, ReturnItem, ReturnRequest
from tests.conftest import bearer, fixture
from tests.feedback_support import hook
from tests.pickup_support import csrf_of, make_staff, sign_in
from tests.returns_support import png, walk


async def _policy(merchant_id: int, **changes) -> None:
    async with engine.write():
        row = await Merchant.select(Merchant.policy).output(load_json=True).where(Merchant.id == merchant_id).first()
        await Merchant.update({Merchant.policy: {**row["policy"], **changes}}).where(Merchant.id == merchant_id)


async def _in_store_return(client, orders, merchants, *, items=None, approve=True, photo=None, store="shibuya",
                           method="in_store", resolution="refund") -> tuple[int, str]:
    """A return of jp_ship to the Shibuya store, approved by the merchant: (id, counter code)."""
    r, *_ = await walk(client, f"/o/{orders['jp_ship'].token}/returns", items=items or {"L1": 1, "L2": 2},
                       reason="other", method=method, store_code=store, photo=photo, resolution=resolution)
    assert r.status_code == 303, r.text[:500]
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    if approve:
        ok = await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(merchants["yamakaze"][1]))
        assert ok.status_code == 200
    async with engine.read():
        row = await ReturnRequest.select(ReturnRequest.drop_off_code).where(ReturnRequest.id == rid).first()
    return rid, row["drop_off_code"]


async def _clerk(client, clock, store="shibuya", email="clerk@example.jp", slug="yamakaze"):
    await make_staff(clock, slug=slug, store=store, email=email)
    r = await sign_in(client, email=email)
    assert r.status_code == 303


async def _post(client, page_url: str, action: str, data: dict):
    page = await client.get(page_url)
    assert page.status_code == 200, page.text[:300]
    return await client.post(action, data={**data, "_csrf_token": csrf_of(page.text)})


async def _items(rid: int) -> list[dict]:
    async with engine.read():
        return await ReturnItem.select().where(ReturnItem.request == rid).order_by(ReturnItem.id)


async def _state(rid: int) -> dict:
    async with engine.read():
        req = await ReturnRequest.select(ReturnRequest.status, ReturnRequest.counter).output(load_json=True).where(
            ReturnRequest.id == rid).first()
        lines = await OrderLine.select(OrderLine.line_id, OrderLine.received_quantity).where(
            OrderLine.line_id.is_in(["L1", "L2"]) & (OrderLine.order.external_id == "jp_ship")).order_by(
            OrderLine.position)
        events = await ReturnEvent.select(ReturnEvent.status).where(ReturnEvent.request == rid).order_by(ReturnEvent.id)
        hooks = await WebhookDelivery.select(WebhookDelivery.event).order_by(WebhookDelivery.id)
    return {"status": req["status"], "counter": req["counter"], "received": [ln["received_quantity"] for ln in lines],
            "events": [e["status"] for e in events], "hooks": [h["event"] for h in hooks]}


def _grades(items: list[dict], *grades: str) -> dict[str, str]:
    return {f"grade_{it['id']}": g for it, g in zip(items, grades, strict=True)}


async def test_find_grade_receive_after_inspection(client, orders, merchants, clock):
    rid, code = await _in_store_return(client, orders, merchants, photo=png())
    await _clerk(client, clock)
    screen = await client.get("/staff/returns?lang=en")
    assert screen.status_code == 200 and "Expected at this store" in screen.text and "山田 花子" in screen.text
    # the QR's payload, scanned (lower case and spaces too)
    r = await _post(client, "/staff/returns", "/staff/returns/find", {"code": f"  rma:RMA-{rid:06d}:{code.lower()} "})
    assert r.status_code == 303 and r.headers["location"] == f"/staff/returns/{rid}"
    detail = await client.get(f"/staff/returns/{rid}?lang=en")
    # the items in the clerk's language, as the hub names them
    assert "Trail Runner GTX" in detail.text and "Trail Energy Bars, pack of 12" in detail.text
    assert "トレイルランナー" not in detail.text and "行動食バー" not in detail.text
    assert "Reason: Other" in detail.text and "&lt;b&gt;too tight&lt;/b&gt;" in detail.text
    [photo_src] = re.findall(r'<img src="(/staff/returns/\d+/photos/\d+)[?"]', detail.text)
    shown = await client.get(photo_src)
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    assert "sandbox" in shown.headers["content-security-policy"]
    items = await _items(rid)
    clock.advance(minutes=1)
    r = await _post(client, f"/staff/returns/{rid}", f"/staff/returns/{rid}/receive",
                    _grades(items, "resellable", "damaged"))
    assert r.status_code == 303 and r.headers["location"] == f"/staff/returns/{rid}?done=received"
    state = await _state(rid)
    assert state["status"] == "received" and state["received"] == [1, 2]
    assert state["counter"]["by"] == "clerk@example.jp" and state["counter"]["store"] == "shibuya"
    assert state["events"] == ["requested", "approved", "received"]
    assert [(i["grade"], i["reception"], i["acceptance"]) for i in await _items(rid)] == [
        ("resellable", "received", "accepted"), ("damaged", "received", "accepted")]
    done = await client.get(f"/staff/returns/{rid}?done=received&lang=en")
    assert "waiting for the shop&#39;s inspection" in done.text or "waiting for the shop's inspection" in done.text
    assert "Undo reception" in done.text and "Receive return" not in done.text
    assert "Trail Runner GTX" in done.text and "トレイルランナー" not in done.text
    # the merchant's API says the same
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["yamakaze"][1]))).json()
    assert [i["grade"] for i in api["items"]] == ["resellable", "damaged"]
    assert api["received_at_counter"]["store_code"] == "shibuya" and api["status"] == "received"
    # and a second scan lands on the return, which says it was received
    r = await _post(client, "/staff/returns", "/staff/returns/find", {"code": code})
    assert r.status_code == 303
    again = await client.post(f"/staff/returns/{rid}/receive?lang=en", data={
        **_grades(items, "resellable", "resellable"), "_csrf_token": csrf_of(done.text)})
    assert again.status_code == 409 and "already been received" in again.text
    assert (await _state(rid))["received"] == [1, 2]  # never twice


async def test_refund_at_drop_off_and_undo(client, orders, merchants, clock):
    await _policy(merchants["yamakaze"][0].id, counter_refund="at_drop_off")
    await hook(merchants["yamakaze"][0].id, clock)
    rid, code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock)
    items = await _items(rid)
    r = await _post(client, f"/staff/returns/{rid}", f"/staff/returns/{rid}/receive",
                    _grades(items, "resellable", "resellable"))
    assert r.status_code == 303 and r.headers["location"].endswith("done=refunded")
    state = await _state(rid)
    assert state["status"] == "refunded" and state["events"][-2:] == ["received", "refunded"]
    assert "return.received" in state["hooks"] and "return.refunded" in state["hooks"]
    hub = await client.get(f"/o/{orders['jp_ship'].token}?lang=en")
    assert "Refunds" in hub.text and "15,360" in hub.text or "￥15,360" in hub.text
    # undo within the window puts everything back
    clock.advance(minutes=4)
    page = await client.get(f"/staff/returns/{rid}?lang=en")
    assert "Undo reception" in page.text
    r = await client.post(f"/staff/returns/{rid}/undo", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"].endswith("done=undone")
    state = await _state(rid)
    assert state["status"] == "approved" and state["received"] == [0, 0] and state["counter"] == {}
    assert state["events"] == ["requested", "approved", "receive_undone"]
    assert state["hooks"][-1] == "return.receive_undone"
    assert all(i["grade"] == "" and i["reception"] == "pending" for i in await _items(rid))
    async with engine.read():
        order = await Order.select(Order.fulfillment_status).where(Order.id == orders["jp_ship"].id).first()
    assert order["fulfillment_status"] != "returned"
    # received again, then the window passes: no undo
    r = await _post(client, f"/staff/returns/{rid}", f"/staff/returns/{rid}/receive",
                    _grades(items, "resellable", "resellable"))
    assert r.status_code == 303
    clock.advance(minutes=6)
    page = await client.get(f"/staff/returns/{rid}?lang=en")
    assert "Undo reception" not in page.text
    r = await client.post(f"/staff/returns/{rid}/undo?lang=en", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 409 and "can no longer be undone" in r.text
    assert (await _state(rid))["status"] == "refunded"


async def test_missing_item_waits_for_inspection_even_at_drop_off(client, orders, merchants, clock):
    await _policy(merchants["yamakaze"][0].id, counter_refund="at_drop_off")
    rid, _code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock)
    items = await _items(rid)
    r = await _post(client, f"/staff/returns/{rid}", f"/staff/returns/{rid}/receive",
                    _grades(items, "resellable", "missing"))
    assert r.status_code == 303 and r.headers["location"].endswith("done=received")
    state = await _state(rid)
    assert state["status"] == "received" and state["received"] == [1, 0]
    assert [(i["grade"], i["reception"], i["acceptance"]) for i in await _items(rid)] == [
        ("resellable", "received", "accepted"), ("missing", "missing", "rejected")]


async def test_grades_required_and_hostile_input_write_nothing(client, orders, merchants, clock):
    rid, _code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock)
    items = await _items(rid)
    cases = [
        {f"grade_{items[0]['id']}": "resellable"},  # one item not graded
        {f"grade_{items[0]['id']}": "<script>alert(1)</script>", f"grade_{items[1]['id']}": "damaged"},
        _grades(items, "missing", "missing"),  # nothing there at all
        {"grade_999999": "resellable", "grade_../../x": "damaged", f"grade_{items[0]['id']}": "x" * 5000},
    ]
    for data in cases:
        r = await _post(client, f"/staff/returns/{rid}?lang=en", f"/staff/returns/{rid}/receive?lang=en", data)
        assert r.status_code == 422, r.text[:300]
        assert "<script>alert(1)</script>" not in r.text
        assert "Grade this item." in r.text or "At least one item must be there" in r.text
    state = await _state(rid)
    assert state["status"] == "approved" and state["received"] == [0, 0] and state["counter"] == {}
    # hostile codes: a clear message, never a 500
    for code in ["<img src=x onerror=alert(1)>", "' OR 1=1 --", "RMA:" + "A" * 60, "\x00\x01", "ＡＢＣ"]:
        r = await _post(client, "/staff/returns", "/staff/returns/find?lang=en", {"code": code})
        assert r.status_code == 422 and "No return with this code for this shop." in r.text
        assert "<img src=x" not in r.text
    r = await _post(client, "/staff/returns", "/staff/returns/find?lang=en", {"code": "   "})
    assert r.status_code == 422


async def test_wrong_store_other_merchant_mail_and_not_approved(client, orders, merchants, clock):
    store = {**fixture("stores.json")["yamakaze"][0], "code": "shinjuku", "name": "山風アウトドア 新宿店"}
    assert (await client.put("/api/v1/stores/shinjuku", json=store,
                             headers=bearer(merchants["yamakaze"][1]))).status_code == 201
    rid, code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock, store="shinjuku", email="shinjuku@example.jp")
    r = await _post(client, "/staff/returns", "/staff/returns/find?lang=en", {"code": code})
    assert r.status_code == 422 and "another store: Yamakaze Outdoor Shibuya." in r.text  # named in the page's language
    # nor by its address, nor its photos, nor a receive
    assert (await client.get(f"/staff/returns/{rid}")).status_code == 404
    page = await client.get("/staff/returns")
    r = await client.post(f"/staff/returns/{rid}/receive", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 404
    assert (await _state(rid))["status"] == "approved"
    # the pickup screen recognises the return code and says the same
    r = await _post(client, "/staff", "/staff/find?lang=en", {"code": code})
    assert r.status_code == 422 and "another store" in r.text
    # another merchant's clerk: as if the code did not exist
    await client.post("/staff/sign-out", data={"_csrf_token": csrf_of((await client.get("/staff")).text)})
    await _clerk(client, clock, store="soho", email="acme-clerk@example.com", slug="acme")
    r = await _post(client, "/staff/returns", "/staff/returns/find?lang=en", {"code": code})
    assert r.status_code == 422 and "No return with this code for this shop." in r.text
    assert (await client.get(f"/staff/returns/{rid}")).status_code == 404


async def test_not_approved_and_mail_returns_are_refused(client, orders, merchants, clock):
    rid, code = await _in_store_return(client, orders, merchants, approve=False, items={"L1": 1})
    await _clerk(client, clock)
    r = await _post(client, "/staff/returns", "/staff/returns/find", {"code": code})
    assert r.status_code == 303
    page = await client.get(f"/staff/returns/{rid}?lang=en")
    assert "hasn&#39;t been approved yet" in page.text or "hasn't been approved yet" in page.text
    assert "Receive return" not in page.text
    items = await _items(rid)
    r = await client.post(f"/staff/returns/{rid}/receive?lang=en",
                          data={**_grades(items, "resellable"), "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 409 and (await _state(rid))["status"] == "requested"
    mail_id, mail_code = await _in_store_return(client, orders, merchants, items={"L2": 1}, method="mail", store="")
    r = await _post(client, "/staff/returns", "/staff/returns/find?lang=en", {"code": mail_code})
    assert r.status_code == 422 and "sent by mail or collected from home" in r.text


async def test_pickup_screen_sends_a_return_code_to_the_returns_screen(client, orders, merchants, clock):
    rid, code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock)
    for typed in (code, f"RMA:RMA-{rid:06d}:{code}"):
        r = await _post(client, "/staff", "/staff/find", {"code": typed})
        assert r.status_code == 303 and r.headers["location"] == f"/staff/returns/{rid}"
    console = await client.get("/staff?lang=en")
    assert 'href="/staff/returns?lang=en"' in console.text and 'data-scan-prefix="OHP: RMA:"' in console.text


async def test_signed_out_forged_and_csrf(client, orders, merchants, clock):
    rid, code = await _in_store_return(client, orders, merchants)
    for url in ("/staff/returns", f"/staff/returns/{rid}", f"/staff/returns/{rid}/photos/1"):
        assert (await client.get(url)).status_code in (404,)
    client.cookies.set("orderhub-staff", "1.1795316400.abcdef0123456789.forged")
    assert (await client.get(f"/staff/returns/{rid}")).status_code == 404
    client.cookies.clear()
    await _clerk(client, clock)
    items = await _items(rid)
    r = await client.post(f"/staff/returns/{rid}/receive", data=_grades(items, "resellable", "resellable"))
    assert r.status_code == 403
    r = await client.post("/staff/returns/find", data={"code": code})
    assert r.status_code == 403
    assert (await _state(rid))["status"] == "approved"


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_screen_in_both_languages(client, orders, merchants, clock, lang):
    rid, _code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock)
    screen = (await client.get(f"/staff/returns?lang={lang}")).text
    detail = (await client.get(f"/staff/returns/{rid}?lang={lang}")).text
    if lang == "ja":
        assert "店頭での返品" in screen and "商品ごとに状態を選んでください" in detail and "再販可" in detail
        assert "トレイルランナー GTX" in detail and "Trail Runner" not in detail
    else:
        assert "Returns at the counter" in screen and "Grade each item" in detail and "Resellable" in detail
        assert "Trail Runner GTX" in detail and "トレイルランナー" not in detail and "26.5cm / Blue" in detail


async def test_the_counter_refund_setting_in_the_admin(client, orders, merchants, clock):
    from tests.admin_ops_support import signed_in
    from tests.integration.test_admin_settings import post
    from tests.integration.test_journeys_returns import ADMIN_POLICY

    await signed_in(client, clock)
    shown = await client.get("/admin/settings/policy?lang=ja")
    assert "店頭で受け取った返品" in shown.text
    assert re.search(r'<option value="after_inspection" selected>検品後に返金</option>', shown.text)  # the default
    r = await post(client, "/admin/settings/policy?lang=en", [*ADMIN_POLICY, ("counter_refund", "<script>x")])
    assert r.status_code == 422 and "<script>x" not in r.text
    r = await post(client, "/admin/settings/policy?lang=en", [*ADMIN_POLICY, ("counter_refund", "at_drop_off")])
    assert r.status_code == 303
    async with engine.read():
        policy = (await Merchant.select(Merchant.policy).output(load_json=True).where(
            Merchant.id == merchants["yamakaze"][0].id).first())["policy"]
    assert policy["counter_refund"] == "at_drop_off"
    # the API takes and checks it too
    bad = await client.put("/api/v1/merchant", headers=bearer(merchants["yamakaze"][1]),
                           json={**{k: v for k, v in fixture("merchants.json")[0].items() if k != "slug"},
                                 "policy": {"counter_refund": "sometimes"}})
    assert bad.status_code == 422 and any(e["field"] == "policy.counter_refund" for e in bad.json()["errors"])


async def test_the_store_is_named_in_the_clerks_language(client, orders, merchants, clock):
    """The screen and the return name the store in the page's language (its English name when the shop
    gave one), not in the language the store's name was first typed in."""
    async with engine.write():
        await Store.update({Store.texts: {"name": {"ja": "山風アウトドア 渋谷店", "en": "Yamakaze Outdoor Shibuya"}}}).where(
            Store.key == scoped(merchants["yamakaze"][0].id, "shibuya"))
    rid, _code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock)
    en = await client.get("/staff/returns?lang=en")
    assert '<span class="staff-head__store">Yamakaze Outdoor Shibuya</span>' in en.text
    ja = await client.get("/staff/returns?lang=ja")
    assert '<span class="staff-head__store">山風アウトドア 渋谷店</span>' in ja.text
    detail = await client.get(f"/staff/returns/{rid}?lang=en")
    assert "<dd>Yamakaze Outdoor Shibuya</dd>" in detail.text and "渋谷店" not in detail.text

async def _news(order_id: int) -> dict:
    from orderhub.db.emails.tables import EmailMessage
    from orderhub.db.payments.tables import PaymentRefund

    async with engine.read():
        mails = await EmailMessage.select(EmailMessage.event, EmailMessage.state).where(
            EmailMessage.order_id == order_id).order_by(EmailMessage.id)
        hooks = await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.state).where(
            WebhookDelivery.order_id == order_id).order_by(WebhookDelivery.id)
        order = await Order.select(Order.refunded_minor, Order.payment_status).where(Order.id == order_id).first()
        refunds = await PaymentRefund.select(PaymentRefund.amount_minor, PaymentRefund.source).where(
            PaymentRefund.order == order_id).order_by(PaymentRefund.id)
    return {"mails": [(m["event"], m["state"]) for m in mails], "hooks": [(h["event"], h["state"]) for h in hooks],
            "refunded": order["refunded_minor"], "payment": order["payment_status"],
            "refunds": [(r["amount_minor"], r["source"]) for r in refunds]}


async def test_undo_takes_back_the_refund_and_its_waiting_news(client, orders, merchants, clock):
    """Refund at drop-off, then undo before anything went out: the payment is as before, the refund's
    emails and webhooks are withdrawn (never sent), the credit note is gone, and no correction is needed."""
    await _policy(merchants["yamakaze"][0].id, counter_refund="at_drop_off")
    await hook(merchants["yamakaze"][0].id, clock)
    order_id = orders["jp_ship"].id
    before = await _news(order_id)
    rid, _code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock)
    items = await _items(rid)
    r = await _post(client, f"/staff/returns/{rid}", f"/staff/returns/{rid}/receive",
                    _grades(items, "resellable", "resellable"))
    assert r.headers["location"].endswith("done=refunded")
    refunded = await _news(order_id)
    assert refunded["refunded"] == before["refunded"] + 15360 and refunded["payment"] == "partially_refunded"
    assert ("return.refunded", "pending") in refunded["mails"]
    note = await client.get(f"/o/{orders['jp_ship'].token}/returns/{rid}/credit-note.pdf")
    assert note.status_code == 200
    clock.advance(minutes=2)
    page = await client.get(f"/staff/returns/{rid}?lang=en")
    r = await client.post(f"/staff/returns/{rid}/undo", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    after = await _news(order_id)
    # the payment is back where it was; the refunds' history keeps the reversal
    assert after["refunded"] == before["refunded"] and after["payment"] == before["payment"]
    assert after["refunds"][-2:] == [(15360, "return"), (-15360, "reversal")]
    # the shopper is never told of the undone refund: its waiting emails are withdrawn, no correction
    assert ("return.received", "withdrawn") in after["mails"] and ("return.refunded", "withdrawn") in after["mails"]
    assert not any(state == "pending" and ev in ("return.received", "return.refunded") for ev, state in after["mails"])
    assert not any(ev == "return.correction" for ev, _ in after["mails"])
    # the storefront's waiting webhooks of the reception and refund are withdrawn; the undo is announced
    assert ("return.refunded", "withdrawn") in after["hooks"] and ("payment.partially_refunded", "withdrawn") in after["hooks"]
    assert ("return.receive_undone", "pending") in after["hooks"] and ("payment.refund_reversed", "pending") in after["hooks"]
    assert (await client.get(f"/o/{orders['jp_ship'].token}/returns/{rid}/credit-note.pdf")).status_code == 404
    hub = await client.get(f"/o/{orders['jp_ship'].token}/returns/{rid}?lang=en")
    assert re.search(r'<h2 id="returns-status-title"><span class="badge[^"]*">Approved</span>', hub.text)
    # received again: news again (the withdrawn messages do not block it)
    r = await _post(client, f"/staff/returns/{rid}", f"/staff/returns/{rid}/receive",
                    _grades(items, "resellable", "resellable"))
    again = await _news(order_id)
    assert again["mails"][-1] == ("return.refunded", "pending") and again["refunded"] == before["refunded"] + 15360


async def test_undo_after_the_email_went_out_sends_a_correction(client, orders, merchants, clock, settings):
    from orderhub.db.emails.tables import EmailMessage
    from orderhub.emails.render import render

    await _policy(merchants["yamakaze"][0].id, counter_refund="at_drop_off")
    order_id = orders["jp_ship"].id
    rid, _code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock)
    items = await _items(rid)
    await _post(client, f"/staff/returns/{rid}", f"/staff/returns/{rid}/receive",
                _grades(items, "resellable", "resellable"))
    async with engine.write():  # the "refunded" email already went out
        await EmailMessage.update({EmailMessage.state: "sent"}).where(
            (EmailMessage.order_id == order_id) & (EmailMessage.event == "return.refunded"))
    clock.advance(minutes=1)
    page = await client.get(f"/staff/returns/{rid}?lang=en")
    r = await client.post(f"/staff/returns/{rid}/undo", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    after = await _news(order_id)
    assert ("return.received", "withdrawn") in after["mails"] and after["mails"][-1] == ("return.correction", "pending")
    async with engine.read():
        row = await EmailMessage.select(EmailMessage.payload).output(load_json=True).where(
            (EmailMessage.order_id == order_id) & (EmailMessage.event == "return.correction")).first()
    ja = await render("return_correction", "return.correction", row["payload"], order_id, "ja", settings, now=clock())
    en = await render("return_correction", "return.correction", row["payload"], order_id, "en", settings, now=clock())
    number = f"RMA-{rid:06d}"
    assert en.subject.startswith("Correction") and number in en.text and "no refund has been made" in en.text
    assert number in ja.text and "訂正" in ja.subject and "返金" in ja.text


async def test_undo_keeps_the_news_of_another_refund(client, orders, merchants, clock):
    """A reception that refunded nothing to the payment (refund after inspection), then a claim's
    refund whose payment webhook is still waiting: undoing the reception withdraws the reception's own
    news and leaves the claim's payment news to go out."""
    from orderhub.db.payments import services as payments

    await _policy(merchants["yamakaze"][0].id, counter_refund="after_inspection")
    await hook(merchants["yamakaze"][0].id, clock)
    order_id = orders["jp_ship"].id
    rid, _code = await _in_store_return(client, orders, merchants)
    await _clerk(client, clock)
    items = await _items(rid)
    r = await _post(client, f"/staff/returns/{rid}", f"/staff/returns/{rid}/receive",
                    _grades(items, "resellable", "resellable"))
    assert r.status_code == 303 and not r.headers["location"].endswith("done=refunded")
    clock.advance(minutes=1)
    async with engine.write():
        await payments.record_refund(order_id, 1000, reason="claim CLM-1", source="claim", now=clock())
    assert ("payment.partially_refunded", "pending") in (await _news(order_id))["hooks"]
    clock.advance(minutes=1)
    page = await client.get(f"/staff/returns/{rid}?lang=en")
    r = await client.post(f"/staff/returns/{rid}/undo", data={"_csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    after = await _news(order_id)
    assert ("payment.partially_refunded", "pending") in after["hooks"]
    assert ("payment.partially_refunded", "withdrawn") not in after["hooks"]
    assert ("return.receive_undone", "pending") in after["hooks"]
