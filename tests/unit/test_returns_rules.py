"""Decision tables for the returns policy and the refund money, over the Japanese (JPY, tax
included, 10 % / 8 %) and US (USD, tax on top, 8.875 %) fixtures. The clock is injected."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from orderhub.db.returns import rules
from orderhub.db.returns.rules import LineFacts, OrderMoney

JP_POLICY = {
    "return_window_days": 30, "extended_window_days_by_tag": {"member-gold": 60},
    "free_return_methods": ["in_store", "drop_off"], "return_fee": {"mail": "550", "home_pickup": "880"},
    "store_credit_bonus_percent": 10, "keep_item_under": "500", "photo_required_reasons": ["damaged", "wrong_item"],
}
US_POLICY = {
    "return_window_days": 30, "extended_window_days_by_tag": {}, "free_return_methods": ["in_store"],
    "return_fee": {"mail": "6.95", "drop_off": "0", "home_pickup": "9.95"}, "store_credit_bonus_percent": 5,
    "keep_item_under": "10.00", "photo_required_reasons": ["damaged"],
}
JST = "Asia/Tokyo"
UTC = dt.UTC


def jp_order(order_discount: int = 0, shipping: int = 0) -> OrderMoney:
    lines = [
        LineFacts("L1", "Trail runner", 1, 13200, 0, Decimal("0.10")),
        LineFacts("L2", "Energy bars", 2, 1080, 0, Decimal("0.08")),
        LineFacts("L3", "Socks", 1, 2200, 0, Decimal("0.10"), final_sale=True),
    ]
    total = 13200 + 2160 + 2200 - order_discount + shipping
    return OrderMoney("JPY", True, lines, order_discount, shipping, Decimal("0.10"), total)


def us_order(order_discount: int = 0) -> OrderMoney:
    lines = [
        LineFacts("1", "Trail Runner", 1, 12000, 1200, Decimal("0.08875")),
        LineFacts("2", "Merino Socks", 2, 1500, 300, Decimal("0.08875")),
    ]
    return OrderMoney("USD", False, lines, order_discount, 795, Decimal("0.08875"), 15564)


# -- eligibility ---------------------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo


@pytest.mark.parametrize("case, line, tags, promised, delivered, now, expected", [
    ("within window from promised date", dict(), [], dt.date(2026, 11, 20), None, NOW, (1, "")),
    ("delivered date wins over promised", dict(), [], dt.date(2026, 9, 1),
     dt.datetime(2026, 11, 1, 1, tzinfo=UTC), NOW, (1, "")),
    ("last day still open (JST)", dict(), [], dt.date(2026, 10, 23), None, NOW, (1, "")),
    ("day after the window", dict(), [], dt.date(2026, 10, 22), None, NOW, (0, "window_closed")),
    ("gold member 60 days", dict(), ["member-gold"], dt.date(2026, 10, 1), None, NOW, (1, "")),
    ("gold member past 60 days", dict(), ["member-gold"], dt.date(2026, 9, 20), None, NOW, (0, "window_closed")),
    ("final sale", dict(final_sale=True), [], dt.date(2026, 11, 20), None, NOW, (0, "final_sale")),
    ("no delivery, no promise", dict(), [], None, None, NOW, (0, "not_delivered")),
    ("promise in the future", dict(), [], dt.date(2026, 11, 25), None, NOW, (0, "not_delivered")),
    ("part already requested", dict(quantity=3, fulfilled_quantity=3, requested_quantity=2), [],
     dt.date(2026, 11, 20), None, NOW, (1, "")),
    ("all already requested", dict(quantity=2, fulfilled_quantity=2, requested_quantity=2), [],
     dt.date(2026, 11, 20), None, NOW, (0, "all_returned")),
    # the limit is what was delivered, not what was bought
    ("nothing shipped yet", dict(quantity=2, fulfilled_quantity=0), [], dt.date(2026, 11, 20), None, NOW,
     (0, "not_delivered")),
    ("one of three delivered", dict(quantity=3, fulfilled_quantity=1), [], dt.date(2026, 11, 20), None, NOW,
     (1, "")),
    ("two of three delivered, one asked back", dict(quantity=3, fulfilled_quantity=2, requested_quantity=1), [],
     dt.date(2026, 11, 20), None, NOW, (1, "")),
    ("delivered part all asked back, rest not shipped", dict(quantity=3, fulfilled_quantity=1, requested_quantity=1),
     [], dt.date(2026, 11, 20), None, NOW, (0, "all_returned")),
    ("counter above quantity is capped", dict(quantity=2, fulfilled_quantity=5), [], dt.date(2026, 11, 20), None,
     NOW, (2, "")),
    ("delivered but final sale", dict(quantity=2, fulfilled_quantity=2, final_sale=True), [],
     dt.date(2026, 11, 20), None, NOW, (0, "final_sale")),
    ("delivered but window closed", dict(quantity=2, fulfilled_quantity=2), [], dt.date(2026, 10, 1), None, NOW,
     (0, "window_closed")),
])
def test_eligibility(case, line, tags, promised, delivered, now, expected):
    facts = LineFacts(**{"line_id": "L1", "title": "x", "quantity": 1, "unit_price_minor": 100, "discount_minor": 0,
                         "tax_rate": Decimal("0.10"), "delivered_at": delivered, "fulfilled_quantity": 1, **line})
    e = rules.eligibility(facts, policy=JP_POLICY, tags=tags, promised_date=promised, now=now, timezone=JST)
    assert (e.returnable, e.reason) == expected, case


@pytest.mark.parametrize("quantity, counter, kind, status, units", [
    (3, 0, "ship", "unfulfilled", 0), (3, 2, "ship", "partially_shipped", 2), (3, 3, "ship", "delivered", 3),
    (3, 4, "ship", "delivered", 3), (2, 0, "pickup", "ready_for_pickup", 0), (2, 0, "pickup", "picked_up", 2),
    (2, 0, "pickup", "returned", 2), (2, 1, "pickup", "ready_for_pickup", 1), (2, 0, "ship", "picked_up", 0),
])
def test_fulfilled_units(quantity, counter, kind, status, units):
    assert rules.fulfilled_units(quantity, counter, fulfillment_type=kind, fulfillment_status=status) == units


@pytest.mark.parametrize("policy, reason, required", [
    (JP_POLICY, "damaged", True), (JP_POLICY, "wrong_item", True), (JP_POLICY, "too_small", False),
    (US_POLICY, "damaged", True), (US_POLICY, "wrong_item", False),
])
def test_photo_required(policy, reason, required):
    assert rules.photo_required(policy, reason) is required


@pytest.mark.parametrize("policy, currency, method, resolution, fee", [
    (JP_POLICY, "JPY", "mail", "refund", 550), (JP_POLICY, "JPY", "home_pickup", "refund", 880),
    (JP_POLICY, "JPY", "drop_off", "refund", 0), (JP_POLICY, "JPY", "in_store", "refund", 0),
    (JP_POLICY, "JPY", "mail", "store_credit", 0), (JP_POLICY, "JPY", "mail", "exchange", 0),
    (US_POLICY, "USD", "mail", "refund", 695), (US_POLICY, "USD", "home_pickup", "refund", 995),
    (US_POLICY, "USD", "drop_off", "refund", 0), (US_POLICY, "USD", "home_pickup", "store_credit", 0),
])
def test_fees(policy, currency, method, resolution, fee):
    assert rules.fee_minor(policy, method, resolution, currency) == fee


# -- the money table (listed in the report) --------------------------------------------------------

MONEY = [
    # id, order, items, reason, resolution, method, expected parts, total, keep_item
    ("jp-shoe-refund-dropoff", jp_order(), {"L1": 1}, "too_small", "refund", "drop_off",
     {"items": 13200}, 13200, False),
    ("jp-shoe-refund-mail-fee", jp_order(), {"L1": 1}, "too_small", "refund", "mail",
     {"items": 13200, "fee": -550}, 12650, False),
    ("jp-shoe-store-credit-bonus", jp_order(), {"L1": 1}, "too_small", "store_credit", "mail",
     {"items": 13200, "bonus": 1320}, 14520, False),
    ("jp-one-bar-mail-fee", jp_order(), {"L2": 1}, "changed_mind", "refund", "mail",
     {"items": 1080, "fee": -550}, 530, False),
    ("jp-order-discount-prorated", jp_order(order_discount=1000), {"L1": 1}, "too_small", "refund", "in_store",
     {"items": 13200 - 752}, 13200 - 752, False),
    ("jp-exchange-no-money", jp_order(), {"L1": 1}, "too_small", "exchange", "mail",
     {"items": 13200, "exchange": -13200}, 0, False),
    ("us-shoe-refund-tax-on-top", us_order(), {"1": 1}, "too_small", "refund", "in_store",
     {"items": 10800, "tax": 959}, 11759, False),
    ("us-shoe-refund-mail-fee", us_order(), {"1": 1}, "too_small", "refund", "mail",
     {"items": 10800, "tax": 959, "fee": -695}, 11064, False),
    ("us-one-sock-mail-fee", us_order(), {"2": 1}, "changed_mind", "refund", "mail",
     {"items": 1350, "tax": 120, "fee": -695}, 775, False),
    ("us-whole-order-damaged-shipping-back", us_order(), {"1": 1, "2": 2}, "damaged", "refund", "in_store",
     {"items": 13500, "tax": 1199, "shipping": 795 + 70}, 15564, False),
    ("us-whole-order-changed-mind-no-shipping", us_order(), {"1": 1, "2": 2}, "changed_mind", "refund", "in_store",
     {"items": 13500, "tax": 1199}, 14699, False),
    ("us-store-credit-5pct", us_order(), {"1": 1}, "too_small", "store_credit", "home_pickup",
     {"items": 10800, "tax": 959, "bonus": 587}, 12346, False),
]


@pytest.mark.parametrize("case, order, items, reason, resolution, method, parts, total, keep",
                         MONEY, ids=[m[0] for m in MONEY])
def test_money_table(case, order, items, reason, resolution, method, parts, total, keep):
    policy = JP_POLICY if order.currency == "JPY" else US_POLICY
    b = rules.refund_breakdown(order, items, reason=reason, resolution=resolution, method=method, policy=policy)
    got = {}
    for p in b.parts:
        got[p.kind] = got.get(p.kind, 0) + p.amount_minor
    assert got == parts
    assert b.total_minor == total == sum(p.amount_minor for p in b.parts)
    assert b.keep_item is keep


def test_keep_item_under_threshold():
    cheap = OrderMoney("JPY", True, [LineFacts("A", "Sticker", 2, 300, 0, Decimal("0.10"))], 0, 0, Decimal("0.10"), 600)
    b = rules.refund_breakdown(cheap, {"A": 1}, reason="changed_mind", resolution="refund", method="mail",
                               policy=JP_POLICY)
    assert b.keep_item and b.total_minor == 300 and b.part("fee") == 0


def test_never_more_than_paid_minus_refunded():
    b = rules.refund_breakdown(jp_order(), {"L1": 1}, reason="too_small", resolution="refund", method="in_store",
                               policy=JP_POLICY, already_refunded_minor=17560 - 5000)
    assert b.total_minor == 5000 and b.part("cap") == -(13200 - 5000)


def test_the_cap_counts_a_paid_and_a_refunded_exchange_difference():
    # 880 paid in for an exchange, then refunded when it was withdrawn: the whole shoe comes back
    paid_in = dataclasses.replace(jp_order(), paid_in_minor=880)
    b = rules.refund_breakdown(paid_in, {"L1": 1}, reason="too_small", resolution="refund", method="in_store",
                               policy=JP_POLICY, already_refunded_minor=17560 - 13200 + 880)
    assert b.total_minor == 13200 and b.part("cap") == 0
    b = rules.refund_breakdown(jp_order(), {"L1": 1}, reason="too_small", resolution="refund", method="in_store",
                               policy=JP_POLICY, already_refunded_minor=17560 - 13200 + 880)
    assert b.total_minor == 13200 - 880  # without the money that came in, the cap bites


def test_partial_returns_add_up_to_one_whole_return():
    order = OrderMoney("JPY", True, [LineFacts("A", "x", 3, 1000, 1, Decimal("0.10"))], 100, 0, Decimal("0.10"), 2899)
    one = [rules.refund_breakdown(order, {"A": 1}, reason="too_small", resolution="refund", method="in_store",
                                  policy=JP_POLICY, previously_returned={"A": i}).part("items") for i in range(3)]
    whole = rules.refund_breakdown(order, {"A": 3}, reason="too_small", resolution="refund", method="in_store",
                                   policy=JP_POLICY, previously_returned={"A": 0}).part("items")
    assert sum(one) == whole == 2899


@pytest.mark.parametrize("status, action, result", [
    ("requested", "approve", "approved"), ("requested", "reject", "rejected"), ("requested", "cancel", "cancelled"),
    ("approved", "receive", "received"), ("approved", "ship", "in_transit"), ("in_transit", "receive", "received"),
    ("received", "refund", "refunded"), ("received", "exchange", "exchanged"), ("approved", "expire", "expired"),
    ("requested", "refund", None), ("requested", "receive", None), ("approved", "refund", None),
    ("refunded", "refund", None), ("rejected", "approve", None), ("received", "cancel", None),
    ("in_transit", "cancel", None),
])
def test_state_machine(status, action, result):
    if result is None:
        with pytest.raises(rules.IllegalTransition):
            rules.next_status(status, action)
    else:
        assert rules.next_status(status, action) == result


def test_keep_item_refunds_straight_from_approved():
    assert rules.next_status("approved", "refund", keep_item=True) == "refunded"


@st.composite
def orders_and_returns(draw):
    inclusive = draw(st.booleans())
    n = draw(st.integers(1, 4))
    lines = []
    for i in range(n):
        q = draw(st.integers(1, 5))
        price = draw(st.integers(1, 50_000))
        disc = draw(st.integers(0, q * price))
        rate = draw(st.sampled_from(["0", "0.08", "0.10", "0.08875"]))
        lines.append(LineFacts(f"L{i}", "x", q, price, disc, Decimal(rate)))
    own = sum(ln.quantity * ln.unit_price_minor - ln.discount_minor for ln in lines)
    od = draw(st.integers(0, own))
    shipping = draw(st.integers(0, 2000))
    goods = own - od
    dicts = [{"quantity": ln.quantity, "unit_price_minor": ln.unit_price_minor, "discount_minor": ln.discount_minor,
              "tax_rate": str(ln.tax_rate)} for ln in lines]
    # what the checkout charged: tax rounded once per rate over lines and shipping
    per_rate = rules.order_rules.tax_by_rate(rules.order_rules.tax_items(dicts, od, shipping, Decimal("0.10")), False)
    tax = 0 if inclusive else sum(t for _, t in per_rate.values())
    ship_tax = 0
    order = OrderMoney("JPY", inclusive, lines, od, shipping, Decimal("0.10"), goods + shipping + tax + ship_tax)
    # split every unit into a sequence of returns
    returns = []
    for ln in lines:
        left = ln.quantity
        while left:
            k = draw(st.integers(1, left))
            returns.append({ln.line_id: k})
            left -= k
    returns = draw(st.permutations(returns))
    reason = draw(st.sampled_from(["damaged", "too_small"]))
    resolution = draw(st.sampled_from(["refund", "store_credit"]))
    method = draw(st.sampled_from(["mail", "in_store", "home_pickup"]))
    return order, returns, reason, resolution, method


@hsettings(max_examples=300, deadline=None)
@given(orders_and_returns())
def test_parts_add_up_and_refunds_never_exceed_paid(case):
    order, returns, reason, resolution, method = case
    refunded, prev, shipping_done = 0, {ln.line_id: 0 for ln in order.lines}, False
    for items in returns:
        b = rules.refund_breakdown(order, items, reason=reason, resolution=resolution, method=method,
                                   policy={**JP_POLICY, "keep_item_under": "0"}, already_refunded_minor=refunded,
                                   shipping_already_refunded=shipping_done, previously_returned=dict(prev))
        assert b.total_minor == sum(p.amount_minor for p in b.parts)
        assert all(p.amount_minor >= 0 for p in b.parts if p.kind in ("items", "tax", "shipping", "bonus"))
        money_back = b.total_minor - b.part("bonus")
        assert 0 <= money_back
        refunded += money_back
        shipping_done = shipping_done or b.part("shipping") > 0
        for k, v in items.items():
            prev[k] += v
        assert refunded <= order.total_minor
    # with no fees and no bonus the whole order comes back exactly
    if resolution == "refund" and method == "in_store" and reason == "damaged":
        assert refunded == order.total_minor
