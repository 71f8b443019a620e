"""Exchanges for something else: the value, the bonus, who pays what, the payment URL and state."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orderhub.db.returns import exchange_rules as xr
from orderhub.db.returns import rules


def pick(price: int, qty: int = 1, sku: str = "A") -> xr.Pick:
    return xr.Pick("p", sku, "Thing", "", qty, price)


def jpy(value: int, bonus: int, picks: list[xr.Pick]) -> xr.Settlement:
    return xr.settle(value, bonus, picks, currency="JPY", prices_include_tax=True, tax_rate=Decimal("0.10"))


def test_cheaper_choice_refunds_the_rest_of_the_value():
    s = jpy(13200, 0, [pick(2200)])
    assert (s.to_pay_minor, s.refund_minor, s.direction) == (0, 11000, xr.REFUND)
    assert s.new_tax_minor == 200  # 10 % included in 2,200


def test_same_price_changes_no_money():
    s = jpy(13200, 0, [pick(13200)])
    assert (s.to_pay_minor, s.refund_minor, s.direction) == (0, 0, xr.EVEN)


def test_dearer_choice_leaves_the_difference_to_pay():
    s = jpy(13200, 0, [pick(15400)])
    assert (s.to_pay_minor, s.refund_minor, s.direction) == (2200, 0, xr.COLLECT)


def test_the_bonus_is_spent_first_and_never_paid_out():
    dearer = jpy(13200, 1320, [pick(15400)])
    assert (dearer.to_pay_minor, dearer.bonus_used_minor, dearer.budget_minor) == (880, 1320, 14520)
    cheaper = jpy(13200, 1320, [pick(2200, 2)])
    # 4,400: 1,320 from the bonus, 3,080 from the value -> 10,120 back (not 10,120 + the bonus)
    assert (cheaper.refund_minor, cheaper.bonus_used_minor) == (10120, 1320)
    tiny = jpy(13200, 1320, [pick(1000)])
    assert (tiny.refund_minor, tiny.bonus_used_minor) == (13200, 1000)


def test_several_items_add_up():
    s = jpy(13200, 0, [pick(2200, 2, "S"), pick(3300, 1, "G"), pick(1650, 3, "W")])
    assert s.new_total_minor == 4400 + 3300 + 4950 and s.to_pay_minor == 0
    assert s.refund_minor == 13200 - 12650


def test_usd_prices_without_tax_add_the_returned_rate():
    s = xr.settle(10825, 0, [pick(12000)], currency="USD", prices_include_tax=False, tax_rate=Decimal("0.0825"))
    # $120.00 + 8.25 % = $129.90; the value of $108.25 leaves $21.65 to pay (cents)
    assert (s.new_total_minor, s.new_tax_minor, s.to_pay_minor) == (12990, 990, 2165)


def test_value_is_goods_and_tax_capped_by_what_is_left_to_refund():
    b = rules.Breakdown("USD", [rules.ItemAmount("1", 1, 10000, 825, Decimal("0.0825"))],
                        [rules.Part("items", 10000), rules.Part("tax", 825), rules.Part("exchange", -10825)],
                        False, 0)
    assert xr.exchange_value(b, 50000) == 10825
    assert xr.exchange_value(b, 5000) == 5000
    assert xr.returned_tax_rate(b) == Decimal("0.0825")


@pytest.mark.parametrize(("pct", "bonus"), [(0, 0), (10, 1320), (15, 1980)])
def test_bonus_follows_the_store_credit_bonus(pct, bonus):
    assert xr.exchange_bonus(13200, {"store_credit_bonus_percent": pct}) == bonus


def test_jpy_and_usd_draft_orders_use_minor_units():
    s = jpy(13200, 0, [pick(15400)])
    d = xr.draft_order(return_id=1, number="RMA-1", order_number="YK-1", hub_url="https://h/o/t", picks=[pick(15400)],
                       settlement=s, prices_include_tax=True, tax_rate=Decimal("0.10"))
    assert d["draft_order"]["difference_to_pay"] == "2200" and d["draft_order"]["lines"][0]["amount"] == "15400"
    u = xr.settle(10825, 0, [pick(12000)], currency="USD", prices_include_tax=False, tax_rate=Decimal("0.0825"))
    d = xr.draft_order(return_id=1, number="RMA-1", order_number="1042", hub_url="https://h/o/t", picks=[pick(12000)],
                       settlement=u, prices_include_tax=False, tax_rate=Decimal("0.0825"))
    assert d["draft_order"]["difference_to_pay"] == "21.65" and d["draft_order"]["lines"][0]["unit_price"] == "120.00"
    assert d["payment"]["status"] == xr.AWAITING_LINK


@pytest.mark.parametrize(("url", "ok"), [
    ("https://shop.example/pay?x=1", True), ("https://shop.example:8443/p", True),
    ("http://shop.example/pay", False), ("javascript:alert(1)", False), ("https://", False),
    ("https://u:p@shop.example/", False), ("https://shop.example/a b", False), ("https://shop.example/\n", False),
    ("https://shop.example:99999/", False), ("https://" + "a" * 2000 + ".example", False), (12, False), ("", False),
    ("https:\\\\evil.example", False), ('https://s.example/"><script>', False), ("https://s.example/a%20b", True),
])
def test_payment_url_must_be_https(url, ok):
    assert xr.check_payment_url(url) is ok


def test_the_storefronts_answer():
    assert xr.next_payment(xr.AWAITING_LINK, {"payment_url": "https://s.example/p"}) == (xr.DUE, "https://s.example/p")
    assert xr.next_payment(xr.DUE, {"status": "paid"}) == (xr.PAID, "")
    for body in ({}, {"status": "open"}, {"payment_url": "http://s.example"},
                 {"payment_url": "https://s.example", "status": "paid"}):
        answer = xr.next_payment(xr.DUE, body)
        assert isinstance(answer, list) and answer[0]["code"]


def test_the_replacement_ships_only_once_nothing_is_left_to_pay():
    assert xr.can_ship(xr.NOT_NEEDED) and xr.can_ship(xr.PAID)
    assert not xr.can_ship(xr.AWAITING_LINK) and not xr.can_ship(xr.DUE)
    assert xr.shows_pay_button(xr.DUE, "https://s.example/p") and not xr.shows_pay_button(xr.PAID, "https://x")
    assert xr.first_payment_state(1) == xr.AWAITING_LINK and xr.first_payment_state(0) == xr.NOT_NEEDED
    assert xr.payment_refusal(xr.AWAITING_LINK, 0, rules.APPROVED) == xr.NOTHING_TO_PAY
    assert xr.payment_refusal(xr.AWAITING_LINK, 100, rules.CANCELLED) == xr.CLOSED
    assert xr.payment_refusal(xr.AWAITING_LINK, 100, rules.RECEIVED) is None


def test_catalog_choices_and_search():
    variants = [{"sku": "A", "price": "1000", "in_stock": True}, {"sku": "B", "price": "1000", "in_stock": False},
                {"sku": "C", "price": "1000", "stock": 2}, {"sku": "D", "price": "oops"}, {"price": "1"}]
    got = xr.in_stock_variants(variants, {"C": 2}, "JPY")
    assert [v.sku for v in got] == ["A"]  # B sold out, C all held, D unpriced, the last has no SKU
    assert [v.free for v in xr.in_stock_variants(variants, {"C": 1}, "JPY")] == [None, 1]
    assert xr.matches("merino socks", ["メリノウール ソックス", "Merino Wool Socks"])
    assert xr.matches("ソックス", ["メリノウール ソックス", "Merino Wool Socks"])
    assert not xr.matches("runner", ["メリノウール ソックス", "Merino Wool Socks"])
    assert xr.matches("", ["x"])
    assert xr.clean_query("  a " + "b" * 500) == ("a " + "b" * 500)[:100] and xr.clean_query(["x"]) == ""


def test_a_withdrawal_refunds_a_paid_difference_once():
    assert xr.after_withdrawal(xr.PAID) == xr.REFUNDED
    assert [xr.after_withdrawal(s) for s in (xr.NOT_NEEDED, xr.AWAITING_LINK, xr.DUE)] == [xr.WITHDRAWN] * 3
    # a second withdrawal path, or a retried job, leaves a final state as it is
    assert xr.after_withdrawal(xr.REFUNDED) == xr.REFUNDED and xr.after_withdrawal(xr.WITHDRAWN) == xr.WITHDRAWN
    assert xr.withdrawal_refund(xr.PAID, 880) == 880
    assert [xr.withdrawal_refund(s, 880) for s in (xr.DUE, xr.REFUNDED, xr.WITHDRAWN, xr.AWAITING_LINK)] == [0] * 4
    assert xr.repeats_paid(xr.REFUNDED, xr.PAID) and xr.repeats_paid(xr.PAID, xr.PAID)
    assert not xr.repeats_paid(xr.DUE, xr.PAID) and not xr.repeats_paid(xr.PAID, xr.DUE)
    assert xr.payment_refusal(xr.REFUNDED, 880, rules.CANCELLED) == xr.CLOSED


def test_the_difference_the_merchant_is_told_about():
    dearer, cheaper, even = jpy(13200, 0, [pick(14080)]), jpy(13200, 0, [pick(2200)]), jpy(2200, 0, [pick(2200)])
    note = xr.difference_note
    assert note(dearer, xr.DUE, refunded=False, difference_refunded_minor=0) == (xr.OWED, 880)
    assert note(dearer, xr.AWAITING_LINK, refunded=False, difference_refunded_minor=0) == (xr.OWED, 880)
    assert note(dearer, xr.PAID, refunded=False, difference_refunded_minor=0) == (xr.PAID_IN, 880)
    assert note(dearer, xr.REFUNDED, refunded=True, difference_refunded_minor=880) == (xr.GIVEN_BACK, 880)
    assert note(dearer, xr.WITHDRAWN, refunded=False, difference_refunded_minor=0) is None
    assert note(cheaper, xr.NOT_NEEDED, refunded=False, difference_refunded_minor=0) == (xr.REFUND_DUE, 11000)
    assert note(cheaper, xr.NOT_NEEDED, refunded=True, difference_refunded_minor=0) == (xr.GIVEN_BACK, 11000)
    assert note(even, xr.NOT_NEEDED, refunded=False, difference_refunded_minor=0) is None


def test_each_line_is_priced_once_and_the_lines_add_up_with_tax_on_top():
    """Tax-exclusive prices (acme, USD, 8.875 %): each line's amount carries its own rounded tax, and
    the lines add up to the new items' total (not the catalog prices times the units)."""
    picks = [pick(1500, 3, "SOCK"), pick(1250, 1, "SPRAY"), pick(2400, 1, "GAITER")]
    s = xr.settle(13065, 0, picks, currency="USD", prices_include_tax=False, tax_rate=Decimal("0.08875"))
    assert [(p.sku, p.line_minor, p.tax_minor) for p in s.picks] == [
        ("SOCK", 4899, 399), ("SPRAY", 1361, 111), ("GAITER", 2613, 213)]
    assert sum(p.line_minor for p in s.picks) == s.new_total_minor == 8873
    assert sum(p.tax_minor for p in s.picks) == s.new_tax_minor
    # stored and read back, the line keeps its amount; an exchange stored before falls back to the price
    again = xr.Pick.of(s.picks[0].stored())
    assert again.line_minor == 4899 and again.tax_minor == 399
    assert xr.Pick.of(pick(1500, 3).stored() | {"amount_minor": None}).line_minor == 4500
    lines = xr.draft_order(return_id=1, number="RMA-000001", order_number="1001", hub_url="https://hub.example/o/t",
                           picks=s.picks, settlement=s, prices_include_tax=False,
                           tax_rate=Decimal("0.08875"))["draft_order"]["lines"]
    assert [ln["amount"] for ln in lines] == ["48.99", "13.61", "26.13"]
