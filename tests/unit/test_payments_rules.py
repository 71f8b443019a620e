"""Payment state and the documents that follow money, as pure decisions: the moves a payment may
make, what an update changes and announces, refunds, what the shopper is told, when a receipt exists,
and how a refund splits over the tax rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orderhub.db.documents import rules as docs
from orderhub.db.payments import rules
from orderhub.db.validation import Reader

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
DEADLINE = dt.datetime(2026, 11, 25, 14, 59, tzinfo=dt.UTC)


def state(status: str, method: str = "konbini", **extra) -> dict:
    return {"status": status, "paid_at": None, "deadline": DEADLINE, "reference": "7788", "method": method, **extra}


@pytest.mark.parametrize(("current", "target", "ok"), [
    ("pending", "paid", True), ("pending", "authorized", True), ("pending", "voided", True),
    ("authorized", "paid", True), ("paid", "partially_refunded", True), ("paid", "refunded", True),
    ("partially_refunded", "refunded", True), ("paid", "paid", True),
    ("paid", "pending", False), ("refunded", "paid", False), ("voided", "paid", False),
    ("pending", "refunded", False), ("authorized", "pending", False),
])
def test_moves(current, target, ok):
    assert rules.can_move(current, target) is ok


def test_paying_a_konbini_order_is_payment_received_and_repeating_it_is_nothing():
    update = rules.PaymentUpdate("paid", None, None, None)
    move = rules.plan_move(state("pending"), update, NOW)
    assert move.values == {"status": "paid", "paid_at": NOW} and move.event == "payment.received"
    again = rules.plan_move(state("paid", paid_at=NOW), update, NOW)
    assert again.values == {} and again.event is None


def test_a_card_capture_is_not_a_payment_received_email():
    move = rules.plan_move(state("authorized", "card"), rules.PaymentUpdate("paid", None, None, None), NOW)
    assert move.event == "payment.paid"


def test_a_backward_move_is_refused():
    with pytest.raises(ValueError):
        rules.plan_move(state("paid"), rules.PaymentUpdate("pending", None, None, None), NOW)


def test_details_change_without_an_event():
    move = rules.plan_move(state("pending"), rules.PaymentUpdate("pending", None, None, "9999"), NOW)
    assert move.values == {"reference": "9999"} and move.event is None


@pytest.mark.parametrize(("body", "field"), [
    (None, "body"), ([], "body"), ({"status": "done"}, "status"), ({"status": "paid", "extra": 1}, "extra"),
    ({"status": "paid", "deadline": "2026-13-01T00:00:00+09:00"}, "deadline"),
    ({"status": "voided", "paid_at": "2026-11-22T00:00:00+09:00"}, "paid_at"),
    ({"status": "paid", "reference": 42}, "reference"),
])
def test_read_update_refuses_bad_bodies(body, field):
    update, errors = rules.read_update(body)
    assert update is None and field in [e["field"] for e in errors]


def test_order_payment_defaults_to_paid_by_card():
    r = Reader()
    payment = rules.read_order_payment(r, {})
    assert not r.errors and payment["status"] == "paid" and payment["method"] == "card"
    assert rules.initial_paid_at("paid", None, NOW) == NOW
    assert rules.initial_paid_at("pending", None, NOW) is None


@pytest.mark.parametrize(("status", "total", "refunded", "after"), [
    ("paid", 1000, 400, "partially_refunded"), ("paid", 1000, 1000, "refunded"),
    ("partially_refunded", 1000, 1000, "refunded"), ("pending", 1000, 1000, "voided"),
    ("pending", 1000, 400, "pending"), ("authorized", 1000, 1000, "voided"),
])
def test_refund_status(status, total, refunded, after):
    assert rules.refund_status(status, total, refunded) == after


def test_check_refund():
    assert rules.check_refund(0, 1000, 0) == rules.REFUND_NOT_POSITIVE
    assert rules.check_refund(600, 1000, 500) == rules.REFUND_TOO_LARGE
    assert rules.check_refund(500, 1000, 500) is None


@pytest.mark.parametrize(("status", "method", "now", "shown"), [
    ("pending", "konbini", NOW, "awaiting"),
    ("pending", "bank_transfer", DEADLINE, "awaiting_late"),  # at the deadline it has passed
    ("pending", "cod", NOW, "on_delivery"), ("pending", "cash_on_delivery", NOW, "on_delivery"),
    ("paid", "konbini", NOW, "paid"), ("voided", "card", NOW, "voided"),
])
def test_what_the_shopper_sees(status, method, now, shown):
    assert rules.shopper_state(status, method, DEADLINE, now) == shown


@pytest.mark.parametrize(("kwargs", "refusal"), [
    ({"payment_status": "paid", "method": "card", "fulfillment_status": "unfulfilled"}, None),
    ({"payment_status": "refunded", "method": "card", "fulfillment_status": "unfulfilled"}, None),
    ({"payment_status": "pending", "method": "konbini", "fulfillment_status": "unfulfilled"}, docs.NOT_PAID),
    ({"payment_status": "authorized", "method": "card", "fulfillment_status": "shipped"}, docs.NOT_PAID),
    ({"payment_status": "pending", "method": "cod", "fulfillment_status": "shipped"}, docs.NOT_DELIVERED),
    ({"payment_status": "pending", "method": "cod", "fulfillment_status": "delivered"}, None),
    ({"payment_status": "voided", "method": "konbini", "fulfillment_status": "unfulfilled"}, docs.ORDER_CANCELLED),
])
def test_a_receipt_only_for_money_received(kwargs, refusal):
    assert docs.receipt_refusal(cancelled=False, **kwargs) == refusal
    assert docs.confirmation_available(cancelled=False, **kwargs) is (refusal in (docs.NOT_PAID, docs.NOT_DELIVERED))


def test_a_cancelled_order_offers_no_receipt():
    assert docs.receipt_refusal(cancelled=True, payment_status="refunded", method="card",
                                fulfillment_status="cancelled") == docs.ORDER_CANCELLED
    assert docs.receipt_refusal(cancelled=True, payment_status="pending", method="konbini",
                                fulfillment_status="cancelled") == docs.ORDER_CANCELLED


def test_refund_by_rate_adds_up_and_refunds_tax_in_proportion():
    totals = docs.from_per_rate({Decimal("0.10"): (15400, 1400), Decimal("0.08"): (2160, 160)}, True, True)
    parts = docs.refund_by_rate(totals, 2160)
    assert sum(p.gross_minor for p in parts) == 2160
    assert [(p.gross_minor, p.tax_minor) for p in parts] == [(1894, 172), (266, 20)]
    whole = docs.refund_by_rate(totals, 17560)
    assert [(p.gross_minor, p.tax_minor) for p in whole] == [(15400, 1400), (2160, 160)]


def test_taxable_amount_is_the_figure_the_prices_are_in():
    t = docs.RateTotal(Decimal("0.10"), 1400, 1273, 127, False)
    assert docs.taxable_minor(t, True) == 1400 and docs.taxable_minor(t, False) == 1273


def test_log_search_reads_dates_amounts_and_counterparty():
    search, errors = docs.read_log_search(
        {"date_from": "2026-11-01", "date_to": "2026-11-30", "amount_min": "1,000", "counterparty": "  ＡＢＣ  商事 "},
        "JPY")
    assert not errors
    assert search.date_from == dt.date(2026, 11, 1) and search.amount_min == 1000 and search.counterparty == "ABC 商事"
    _, errors = docs.read_log_search({"date_from": "2026-11-31", "amount_max": "1.5"}, "JPY")
    assert [e["field"] for e in errors] == ["date_from", "amount_max"]


def test_processing_starts_once_a_pay_later_order_is_paid():
    placed = dt.datetime(2026, 11, 20, 1, tzinfo=dt.UTC)
    now = dt.datetime(2026, 12, 2, 1, tzinfo=dt.UTC)
    paid = dt.datetime(2026, 11, 24, 5, tzinfo=dt.UTC)
    assert rules.processing_from(placed, "konbini", "pending", None, now) == now
    assert rules.processing_from(placed, "bank_transfer", "paid", paid, now) == paid
    assert rules.processing_from(placed, "card", "authorized", None, now) == placed
    assert rules.processing_from(placed, "cod", "pending", None, now) == placed  # shipped before it is paid
    assert rules.awaiting_payment("konbini", "pending") and not rules.awaiting_payment("cod", "pending")
    assert not rules.awaiting_payment("konbini", "paid")


@pytest.mark.parametrize("currency, total, paid_in, refunded, left", [
    ("JPY", 17560, 0, 0, 17560),
    ("JPY", 17560, 880, 0, 18440),  # a paid exchange difference raises what can go back
    ("JPY", 17560, 880, 880, 17560),  # ... and its refund lowers it again
    ("JPY", 17560, 880, 18440, 0),
    ("USD", 15564, 1250, 1250, 15564),  # $155.64, $12.50 paid in and refunded
    ("USD", 15564, 1250, 20000, 0),  # never below nothing
])
def test_refund_left_counts_money_paid_in_and_refunded(currency, total, paid_in, refunded, left):
    assert rules.refund_left(total, refunded, paid_in) == left
    assert rules.capped_refund(10**9, total, refunded, paid_in) == left
    assert rules.check_refund(left + 1, total, refunded, paid_in) == rules.REFUND_TOO_LARGE
    assert rules.check_refund(left, total, refunded, paid_in) == (None if left else rules.REFUND_NOT_POSITIVE)


def test_refunded_means_everything_charged_went_back():
    assert rules.refund_status(rules.PAID, 17560, 880, 880) == rules.PARTIALLY_REFUNDED
    assert rules.refund_status(rules.PAID, 17560, 17560, 880) == rules.PARTIALLY_REFUNDED
    assert rules.refund_status(rules.PAID, 17560, 18440, 880) == rules.REFUNDED
    assert rules.charged(15564, 1250) == 16814 and rules.charged(15564, -5) == 15564
