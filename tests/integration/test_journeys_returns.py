"""Return money right (issue 17, item 5): no fee for the merchant's fault, the same amount on the
preview, the stored return, the API, the email and the slip; the exchange step lists exactly the
in-stock variants; the return page says where and by when; the order page shows refunds."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from orderhub.components import i18n
from orderhub.db import engine
from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns.tables import ReturnRequest
from orderhub.emails import content, facts
from tests.admin_ops_support import signed_in
from tests.conftest import bearer
from tests.integration.test_admin_settings import post
from tests.returns_support import HTMX, fulfil, step, walk

ADMIN_POLICY = [("return_window_days", "30"), ("cancel_window_hours", "1"), ("return_ship_within_days", "14"),
                ("free_return_methods", "in_store"), ("fee_mail", "550"), ("fee_home_pickup", "880"),
                ("store_credit_bonus_percent", "10"), ("keep_item_under", "500")]


async def _stored(return_id: int) -> dict:
    async with engine.read():
        return await ReturnRequest.select().where(ReturnRequest.id == return_id).first()


def _rid(location: str) -> int:
    return int(location.rstrip("/").rsplit("/", 1)[1].split("?")[0])


async def _policy(merchant_id: int, **changes) -> None:
    async with engine.write():
        row = await Merchant.select(Merchant.policy).output(load_json=True).where(Merchant.id == merchant_id).first()
        await Merchant.update({Merchant.policy: {**row["policy"], **changes}}).where(Merchant.id == merchant_id)


@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_merchant_fault_costs_no_fee_on_every_surface(client, orders, merchants, settings, clock, lang):
    base = f"/o/{orders['jp_ship'].token}/returns"
    await fulfil(token=orders["jp_ship"].token)
    await step(client, base, "items", {"qty_L1": "1"})
    await step(client, base, "reason", {"reason": "defective", "comment": ""})
    await step(client, base, "resolution", {"resolution": "refund"})
    method = await client.get(f"{base}/new/method?lang={lang}")
    # mail costs ¥550 for this merchant, but not when the item was defective
    assert "¥550" not in method.text
    waived = "No return fee: the problem was ours." if lang == "en" else "当店の不備のため、返品手数料はかかりません。"
    assert waived in method.text
    r, review, _key, _token = await walk(client, base, items={"L1": 1}, reason="defective", method="mail",
                                         delivered=False)
    assert "¥13,200" in review.text and "¥550" not in review.text and "-¥550" not in review.text
    rid = _rid(r.headers["location"])
    row = await _stored(rid)
    assert row["fee_minor"] == 0 and row["total_minor"] == 13200
    api = (await client.get(f"/api/v1/returns/{rid}", headers=bearer(merchants["yamakaze"][1]))).json()
    assert api["fee"] == "0" and api["refund_total"] == "13200"
    # the approved email states the same amount
    found = await facts.facts(orders["jp_ship"].id, settings.key_for("hub"), return_id=rid, shipments=False, pickup=False)
    with i18n.language(lang):
        words = content.build("return_approved", "return.approved", {}, found, now=clock())
    assert ("¥13,200" in dict(words.facts).values()) or any("¥13,200" in v for _k, v in words.facts)


async def test_ordinary_reason_and_waiver_turned_off_keep_the_fee(client, orders, merchants):
    base = f"/o/{orders['jp_ship'].token}/returns"
    r, review, *_ = await walk(client, base, items={"L1": 1}, reason="too_small", method="mail")
    assert (await _stored(_rid(r.headers["location"])))["total_minor"] == 13200 - 550
    await _policy(merchants["yamakaze"][0].id, waive_fee_for_merchant_fault=False)
    r, review, *_ = await walk(client, base, items={"L2": 1}, reason="defective", method="mail")
    row = await _stored(_rid(r.headers["location"]))
    assert row["fee_minor"] == 550


async def test_the_waiver_is_a_return_policy_setting_in_admin(client, merchants, clock):
    await signed_in(client, clock)
    page = await client.get("/admin/settings/policy?lang=en")
    assert re.search(r'name="waive_fee_for_merchant_fault" value="on" checked', page.text)  # on by default
    r = await post(client, "/admin/settings/policy?lang=en", ADMIN_POLICY)
    assert r.status_code == 303
    async with engine.read():
        policy = (await Merchant.select(Merchant.policy).output(load_json=True).where(
            Merchant.id == merchants["yamakaze"][0].id).first())["policy"]
    assert policy["waive_fee_for_merchant_fault"] is False
    r = await post(client, "/admin/settings/policy?lang=en", [*ADMIN_POLICY, ("waive_fee_for_merchant_fault", "on")])
    assert r.status_code == 303
    shown = await client.get("/admin/settings/policy?lang=ja")
    assert "破損・不良品・誤配送の場合は返品手数料を請求しない" in shown.text
    assert re.search(r'name="waive_fee_for_merchant_fault" value="on" checked', shown.text)


@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_exchange_step_lists_exactly_the_in_stock_variants(client, orders, lang):
    base = f"/o/{orders['jp_ship'].token}/returns"
    await fulfil(token=orders["jp_ship"].token)
    # the shoe alone: 7 other sizes in stock at the same price, the exchange can be chosen
    await step(client, base, "items", {"qty_L1": "1"})
    await step(client, base, "reason", {"reason": "too_small", "comment": ""})
    page = (await client.get(f"{base}/new/resolution?lang={lang}")).text
    options = re.findall(r'<option value="(TR-[^"]+)"', page)
    assert sorted(options) == ["TR-255-BLK", "TR-255-BLU", "TR-260-BLK", "TR-260-BLU", "TR-265-BLK",
                               "TR-275-BLK", "TR-275-BLU"]
    assert 'value="exchange" disabled' not in page and "in stock" not in page and "在庫" not in page
    # the shoe and the energy bars (no other variant): no exchange, no list, and the page says which
    await step(client, base, "items", {"qty_L1": "1", "qty_L2": "1"})
    page = (await client.get(f"{base}/new/resolution?lang={lang}")).text
    assert 'value="exchange" disabled' in page and "<select" not in page
    note = re.search(r'class="choice__note">\(([^)]*)\)', page).group(1)
    assert "TR-" not in note and ("Energy" in note or "エナジー" in note or "バー" in note)


@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_return_page_and_email_say_where_and_by_when(client, orders, merchants, settings, clock, lang):
    base = f"/o/{orders['jp_ship'].token}/returns"
    r, *_ = await walk(client, base, items={"L1": 1}, reason="too_small", method="mail")
    rid = _rid(r.headers["location"])
    row = await _stored(rid)
    page = await client.get(f"{base}/{rid}?lang={lang}")
    assert page.status_code == 200
    merchant = merchants["yamakaze"][0]
    address = merchant.address or {}
    assert merchant.name in page.text and (address.get("city") or "") in page.text
    deadline = row["updated_at"] + dt.timedelta(days=14)
    local = deadline.astimezone(dt.timezone(dt.timedelta(hours=9)))
    if lang == "en":
        assert "Send it to" in page.text and "Please send it by" in page.text
        assert f"{local.strftime('%b')} {local.day}" in page.text
    else:
        by = re.search(r"returns-send-by\"><strong>([^<]*)<", page.text).group(1)
        assert "送り先" in page.text and "までに発送してください" in by and f"{local.month}月{local.day}日" in by, by
    found = await facts.facts(orders["jp_ship"].id, settings.key_for("hub"), return_id=rid, shipments=False, pickup=False)
    with i18n.language(lang):
        words = dict(content.build("return_approved", "return.approved", {}, found, now=clock()).facts)
    to, by = (words["Send it to"], words["Send by"]) if lang == "en" else (words["送り先"], words["発送期限"])
    assert to.startswith(merchant.name) and (address.get("city") or "") in to
    assert str(local.day) in by


async def test_order_page_shows_refunds_once_refunded(client, orders, merchants):
    token = orders["jp_ship"].token
    key = merchants["yamakaze"][1]
    r, *_ = await walk(client, f"/o/{token}/returns", items={"L1": 1}, reason="defective", method="mail")
    rid = _rid(r.headers["location"])
    before = await client.get(f"/o/{token}?lang=en")
    assert "confirmation-refunds" not in before.text
    for action in ("receive", "refund"):
        assert (await client.post(f"/api/v1/returns/{rid}/{action}", headers=bearer(key))).status_code == 200
    number = (await _stored(rid))["number"]
    en = await client.get(f"/o/{token}?lang=en")
    block = re.search(r'id="confirmation-refunds".*?</section>', en.text, re.S).group(0)
    assert "Refunded ¥13,200 on" in block and "To your original payment method" in block and number in block
    ja = await client.get(f"/o/{token}?lang=ja")
    block = re.search(r'id="confirmation-refunds".*?</section>', ja.text, re.S).group(0)
    assert "¥13,200を返金しました" in block and "お支払いに使われた方法へ返金" in block
    # partial answer of the hub page keeps working
    assert (await client.get(f"/o/{token}", headers=HTMX)).status_code == 200
