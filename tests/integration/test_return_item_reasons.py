"""Each returned item's own reason (issue 20 item 7), through the wizard: the reason step asks per item
(one reason for all stays the shortcut), a photo is asked for the item whose reason needs one and its
error comes back next to that item; the fee is waived for the merchant-fault item; the return page,
the API, the email and the admin then all say the same reason per item. Hostile input and a missing
CSRF token write nothing."""

from __future__ import annotations

import re

from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.returns.reason_tables import ReturnItemReason
from orderhub.db.returns.tables import ReturnRequest
from orderhub.emails.render import render
from tests.conftest import bearer
from tests.returns_support import CSRF, csrf, fulfil, png, step


async def _to_reason_step(client, orders) -> str:
    base = f"/o/{orders['jp_ship'].token}/returns"
    await fulfil(orders["jp_ship"].id)
    r = await step(client, base, "items", {"qty_L1": "1", "qty_L2": "2"})
    assert r.status_code == 303, r.text[:500]
    return base


async def _submit(client, base: str) -> int:
    review = await client.get(f"{base}/new/review?lang=en")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review.text).group(1)
    r = await client.post(f"{base}/new/submit", data={"_csrf_token": CSRF.search(review.text).group(1),
                                                      "idempotency_key": key})
    assert r.status_code == 303, r.text[:500]
    return int(r.headers["location"].rsplit("/", 1)[1])


async def test_a_reason_per_item_with_its_photo_fee_and_everywhere_the_same(client, orders, merchants, settings,
                                                                             clock):
    base = await _to_reason_step(client, orders)
    page = await client.get(f"{base}/new/reason?lang=en")
    assert "A different reason for some items?" in page.text and 'name="reason_L2"' in page.text
    # the shoe is too small, the bars arrived damaged: damaged needs a photo, asked next to the bars
    r = await step(client, base, "reason", {"reason": "too_small", "reason_L2": "damaged",
                                             "comment_L2": "<b>box crushed</b>"})
    assert r.status_code == 422
    assert 'id="f-photo_L2-error"' in r.text and 'id="f-photo-error"' not in r.text
    assert 'id="f-photo_L1-error"' not in r.text
    assert re.search(r'<option value="damaged" selected>', r.text)  # the answers stay
    r = await step(client, base, "reason", {"reason": "too_small", "reason_L2": "damaged",
                                             "comment_L2": "<b>box crushed</b>"},
                   files={"photo_L2": ("bars.png", png(), "image/png")})
    assert r.status_code == 303, r.text[:800]
    assert (await step(client, base, "resolution", {"resolution": "refund"})).status_code == 303
    method = await client.get(f"{base}/new/method?lang=en")
    assert "Fee ¥550" in method.text  # the shoe's reason is the shopper's choice: mail costs the fee
    assert (await step(client, base, "method", {"method": "mail"})).status_code == 303
    review = await client.get(f"{base}/new/review?lang=en")
    assert "Different for each item" in review.text
    assert "Reason: Too small · return fee ¥550" in review.text
    assert "Reason: Arrived damaged · no return fee for this item" in review.text
    rid = await _submit(client, base)

    key = merchants["yamakaze"][1]
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))).json()
    assert api["reason"] == "too_small"  # the first item's, for compatibility
    items = {i["line_id"]: i for i in api["items"]}
    assert (items["L1"]["reason"], items["L1"]["fee"], items["L1"]["fee_waived"]) == ("too_small", "550", False)
    assert (items["L2"]["reason"], items["L2"]["fee"], items["L2"]["fee_waived"]) == ("damaged", "0", True)
    assert items["L2"]["comment"] == "<b>box crushed</b>" and items["L1"]["comment"] is None
    assert len(items["L2"]["photos"]) == 1 and items["L2"]["photos"][0] in api["photos"]
    assert (await client.get(items["L2"]["photos"][0], headers=bearer(key))).status_code == 200
    assert api["fee"] == "550"

    shown = await client.get(f"{base}/{rid}?lang=en")
    assert "Different for each item" in shown.text and "Reason: Arrived damaged" in shown.text
    assert "&lt;b&gt;box crushed&lt;/b&gt;" in shown.text and "<b>box crushed" not in shown.text
    ja = await client.get(f"{base}/{rid}?lang=ja")
    assert "商品ごとに異なる" in ja.text and "この商品の返品手数料はかかりません" in ja.text
    admin_words = await client.get(f"/api/v1/returns/{rid}", headers=bearer(key))
    assert admin_words.status_code == 200

    # the approval email lists each item with its reason
    assert (await client.post(f"/api/v1/returns/{rid}/approve", headers=bearer(key))).status_code == 200
    async with engine.read():
        mail = await EmailMessage.select(EmailMessage.payload, EmailMessage.order_id).output(load_json=True).where(
            EmailMessage.event == "return.approved").first()
    en = await render("return_approved", "return.approved", mail["payload"], mail["order_id"], "en", settings,
                      now=clock())
    assert "Reason: Too small" in en.text and "Reason: Arrived damaged · no return fee for this item" in en.text
    ja_mail = await render("return_approved", "return.approved", mail["payload"], mail["order_id"], "ja", settings,
                           now=clock())
    assert "この商品の返品手数料はかかりません" in ja_mail.text


async def test_one_reason_for_all_is_still_one_tap(client, orders, merchants):
    base = await _to_reason_step(client, orders)
    assert (await step(client, base, "reason", {"reason": "changed_mind"})).status_code == 303
    assert (await step(client, base, "resolution", {"resolution": "refund"})).status_code == 303
    assert (await step(client, base, "method", {"method": "drop_off"})).status_code == 303
    rid = await _submit(client, base)
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["yamakaze"][1]))).json()
    assert [i["reason"] for i in api["items"]] == ["changed_mind", "changed_mind"]
    shown = await client.get(f"{base}/{rid}?lang=en")
    assert "Different for each item" not in shown.text and "Changed my mind" in shown.text


async def test_a_return_from_before_per_item_reasons_keeps_its_one_reason(client, orders, merchants):
    base = await _to_reason_step(client, orders)
    await step(client, base, "reason", {"reason": "too_large"})
    await step(client, base, "resolution", {"resolution": "refund"})
    await step(client, base, "method", {"method": "drop_off"})
    rid = await _submit(client, base)
    async with engine.write():  # as stored before the per-item table existed
        await ReturnItemReason.delete().where(ReturnItemReason.request == rid)
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["yamakaze"][1]))).json()
    assert api["reason"] == "too_large" and [i["reason"] for i in api["items"]] == ["too_large", "too_large"]


async def test_every_item_with_its_own_reason_and_hostile_input(client, orders, merchants):
    base = await _to_reason_step(client, orders)
    # no reason for all, but every item has its own
    r = await step(client, base, "reason", {"reason_L1": "wrong_item", "reason_L2": "<script>alert(1)</script>"})
    assert r.status_code == 422 and 'id="f-reason_L2-error"' in r.text and "<script>alert(1)" not in r.text
    r = await step(client, base, "reason", {"reason_L1": "too_large", "reason_L2": "too_small",
                                             "comment_L1": "x" * 1001})
    assert r.status_code == 422 and 'id="f-comment_L1-error"' in r.text
    r = await step(client, base, "reason", {"reason_L1": "too_large", "reason_L2": "too_small", "reason_L9": "damaged"})
    assert r.status_code == 303  # a line that is not chosen is never read
    token = await csrf(client, f"{base}/new/reason")
    assert token
    forged = await client.post(f"{base}/new/reason", data={"reason_L1": "damaged"})
    assert forged.status_code == 403
    assert (await client.post("/o/not-a-token/returns/new/reason", data={"reason": "damaged"})).status_code in (403, 404)
    await step(client, base, "resolution", {"resolution": "refund"})
    await step(client, base, "method", {"method": "drop_off"})
    rid = await _submit(client, base)
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["yamakaze"][1]))).json()
    assert [i["reason"] for i in api["items"]] == ["too_large", "too_small"] and api["reason"] == "too_large"
    # another merchant's key sees nothing of it
    other = await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["acme"][1]))
    assert other.status_code == 404
    async with engine.read():
        assert await ReturnRequest.count().where(ReturnRequest.id == rid) == 1
