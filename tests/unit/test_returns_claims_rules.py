"""Decision tables for what came with issue 5's gaps: moves by resolution, expiry days, stock free
for exchanges, the claim form, and the claim money (the return rules with nothing sent back)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orderhub.db.errors import ValidationFailed
from orderhub.db.returns import claims, replacements, rules
from orderhub.db.returns.rules import LineFacts
from tests.unit.test_returns_rules import JP_POLICY, US_POLICY, jp_order, us_order

UTC = dt.UTC
T0 = dt.datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("status, action, keep, resolution, result", [
    ("approved", "ship", False, "refund", "in_transit"),
    ("approved", "ship", True, "refund", None),  # nothing to send back
    ("requested", "ship", False, "refund", None),
    ("in_transit", "ship", False, "refund", None),
    ("received", "exchange", False, "exchange", "exchanged"),
    ("received", "exchange", False, "refund", None),
    ("received", "exchange", False, "store_credit", None),
    ("received", "refund", False, "exchange", None),
    ("received", "refund", False, "store_credit", "refunded"),
    ("approved", "exchange", False, "exchange", None),
    ("approved", "expire", False, "exchange", "expired"),
    ("approved", "expire", True, "refund", None),
    ("in_transit", "expire", False, "refund", None),
    ("exchanged", "refund", False, "exchange", None),
])
def test_moves_by_resolution(status, action, keep, resolution, result):
    if result is None:
        with pytest.raises(rules.IllegalTransition):
            rules.next_status(status, action, keep_item=keep, resolution=resolution)
    else:
        assert rules.next_status(status, action, keep_item=keep, resolution=resolution) == result


@pytest.mark.parametrize("policy, days", [
    ({}, 14), ({"return_ship_within_days": 3}, 3), ({"return_ship_within_days": 0}, 14),
    ({"return_ship_within_days": "7"}, 14), ({"return_ship_within_days": True}, 14),
    ({"return_ship_within_days": 400}, 14), (None, 14),
])
def test_ship_within_days(policy, days):
    assert rules.ship_within_days(policy) == days


# T0 is 12:00 in Tokyo on 1 November: the 14 days end at midnight after 15 November there (15:00 UTC)
@pytest.mark.parametrize("status, keep, elapsed, policy, expired", [
    ("approved", False, dt.timedelta(days=14, hours=11, minutes=59), {}, False),
    ("approved", False, dt.timedelta(days=14, hours=12), {}, True),
    ("approved", True, dt.timedelta(days=40), {}, False),  # kept items are refunded, never sent
    ("in_transit", False, dt.timedelta(days=40), {}, False),
    ("requested", False, dt.timedelta(days=40), {}, False),
    ("approved", False, dt.timedelta(days=3, hours=11, minutes=59), {"return_ship_within_days": 3}, False),
    ("approved", False, dt.timedelta(days=3, hours=12), {"return_ship_within_days": 3}, True),
])
def test_expiry(status, keep, elapsed, policy, expired):
    assert rules.expired(status, keep, T0, T0 + elapsed, policy, "Asia/Tokyo") is expired


@pytest.mark.parametrize("variant, held, free", [
    ({"in_stock": True}, 5, None), ({"in_stock": False}, 0, 0), ({"in_stock": True, "stock": 2}, 1, 1),
    ({"in_stock": True, "stock": 1}, 1, 0), ({"in_stock": True, "stock": 1}, 3, 0), ({"stock": 0}, 0, 0),
])
def test_free_units(variant, held, free):
    assert replacements.free_units(variant, held) == free


class Facts:
    """The little of OrderFacts that check_claim reads."""

    def __init__(self, lines):
        self.lines = {ln.line_id: ln for ln in lines}

    def line(self, line_id):
        return self.lines.get(line_id)


LINES = [LineFacts("A", "x", 2, 1000, 0, Decimal("0.10"), fulfilled_quantity=2),
         LineFacts("B", "y", 3, 500, 0, Decimal("0.10"), fulfilled_quantity=1, requested_quantity=1),
         LineFacts("F", "z", 1, 500, 0, Decimal("0.10"), fulfilled_quantity=1, final_sale=True)]


@pytest.mark.parametrize("data, photos, errors", [
    ({"items": {"A": 1}, "kind": "missing", "description": "gone"}, 0, []),
    ({"items": {"A": 1}, "kind": "damaged", "description": "torn"}, 1, []),
    ({"items": {"F": 1}, "kind": "damaged", "description": "final sale, broken anyway"}, 1, []),
    ({"items": {"A": 1}, "kind": "damaged", "description": "torn"}, 0, ["photos"]),
    ({"items": {"A": 1}, "kind": "wrong_item", "description": "blue"}, 0, ["photos"]),
    ({"items": {"A": 1}, "kind": "missing", "description": "x"}, 4, ["photos"]),
    ({"items": {"A": 3}, "kind": "missing", "description": "x"}, 0, ["items.A"]),  # only 2 delivered
    ({"items": {"B": 1}, "kind": "missing", "description": "x"}, 0, ["items.B"]),  # the delivered one is returned
    ({"items": {"Z": 1}, "kind": "missing", "description": "x"}, 0, ["items.Z"]),
    ({"items": {"A": -1}, "kind": "missing", "description": "x"}, 0, ["items.A"]),
    ({"items": {"A": True}, "kind": "missing", "description": "x"}, 0, ["items.A"]),
    ({"items": {}, "kind": "missing", "description": "x"}, 0, ["items"]),
    ({"items": {"A": 1}, "kind": "lost", "description": "x"}, 0, ["kind"]),
    ({"items": {"A": 1}, "kind": "missing", "description": "  "}, 0, ["description"]),
    ({"items": {"A": 1}, "kind": "missing", "description": "x" * 2001}, 0, ["description"]),
])
def test_claim_form(data, photos, errors):
    if not errors:
        assert claims.check_claim(Facts(LINES), data, photos=photos)["items"] == data["items"]
        return
    with pytest.raises(ValidationFailed) as e:
        claims.check_claim(Facts(LINES), data, photos=photos)
    assert [x["field"] for x in e.value.errors] == errors


# the claim money: resolution "refund", nothing sent back (method "keep": no fee), shipping when the
# whole order is the merchant's fault; listed in the report
CLAIM_MONEY = [
    ("jp-damaged-shoe", jp_order(), {"L1": 1}, "damaged", {"items": 13200}, 13200),
    ("jp-missing-bar-no-fee", jp_order(), {"L2": 1}, "missing", {"items": 1080}, 1080),
    ("jp-wrong-all-with-shipping", jp_order(shipping=770), {"L1": 1, "L2": 2, "L3": 1}, "wrong_item",
     {"items": 17560, "shipping": 770}, 18330),
    ("jp-discounted-damaged-shoe", jp_order(order_discount=1000), {"L1": 1}, "damaged", {"items": 12448}, 12448),
    ("us-missing-socks-tax-on-top", us_order(), {"2": 2}, "missing", {"items": 2700, "tax": 240}, 2940),
    ("us-wrong-whole-order-shipping", us_order(), {"1": 1, "2": 2}, "wrong_item",
     {"items": 13500, "tax": 1199, "shipping": 865}, 15564),
    ("us-damaged-part-no-shipping", us_order(), {"1": 1}, "damaged", {"items": 10800, "tax": 959}, 11759),
]


@pytest.mark.parametrize("case, order, items, kind, parts, total", CLAIM_MONEY, ids=[c[0] for c in CLAIM_MONEY])
def test_claim_money(case, order, items, kind, parts, total):
    policy = {**(JP_POLICY if order.currency == "JPY" else US_POLICY), "keep_item_under": "0"}
    b = rules.refund_breakdown(order, items, reason=kind, resolution="refund", method="keep", policy=policy)
    got: dict[str, int] = {}
    for p in b.parts:
        got[p.kind] = got.get(p.kind, 0) + p.amount_minor
    assert got == parts and b.total_minor == total == sum(p.amount_minor for p in b.parts)
