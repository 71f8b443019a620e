"""The pure decisions of prepaid return labels (db/returns/label_rules.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from orderhub.db.returns import label_rules as lr
from orderhub.db.returns import rules

NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


def test_which_returns_get_a_label():
    assert lr.wants_label("mail", False, "approved")
    assert not lr.wants_label("mail", True, "approved")  # the item is kept
    assert not lr.wants_label("drop_off", False, "approved")
    assert not lr.wants_label("mail", False, "requested")


def test_provider_answers():
    assert lr.outcome_of_status(201, "").ok
    for status in (408, 409, 429, 500, 503):
        assert lr.outcome_of_status(status, "x").retry
    for status in (400, 401, 402, 404, 422):
        outcome = lr.outcome_of_status(status, "refused")
        assert not outcome.ok and not outcome.retry and f"HTTP {status}" in outcome.error


def test_backoff_then_failed():
    retry = lr.Outcome(ok=False, retry=True)
    assert lr.after_failure(1, retry, NOW) == ("pending", NOW + dt.timedelta(minutes=1))
    assert lr.after_failure(3, retry, NOW) == ("pending", NOW + dt.timedelta(minutes=4))
    assert lr.after_failure(lr.MAX_ATTEMPTS, retry, NOW) == ("failed", NOW)
    assert lr.after_failure(1, lr.Outcome(ok=False), NOW) == ("failed", NOW)  # a refusal fails at once


def test_lowest_rate_compares_decimals_and_skips_junk():
    rates = [{"id": "a", "rate": "10.5"}, {"id": "b", "rate": "9.99"}, {"id": "c", "rate": "NaN"},
             {"id": "d", "rate": None}, {"id": "e", "rate": "-1"}]
    assert lr.lowest_rate(rates, "rate")["id"] == "b"
    assert lr.lowest_rate([], "rate") is None


def test_slip_reference():
    ref = lr.new_reference()
    assert len(ref) == 10 and set(ref) <= set(lr.REFERENCE_ALPHABET) and not set(ref) & set("O0I1")
    assert lr.slip_qr_payload(ref, "RMA-000001") == f"RMA:RMA-000001:{ref}"


def test_carrier_status_moves():
    assert lr.actions_for("in_transit") == ("ship",)
    assert lr.actions_for("delivered") == ("ship", "receive")
    assert lr.actions_for("info_received") == ()
    assert lr.latest_status([{"status": "delivered", "occurred_at": NOW},
                             {"status": "in_transit", "occurred_at": NOW - dt.timedelta(hours=1)}]) == "delivered"


def test_label_cost_waived_like_the_fee():
    policy = {"label_cost": {"mail": "600"}, "free_return_methods": ["in_store"]}
    assert rules.label_cost(policy, "mail", "refund", "JPY", "changed_mind", offers_labels=True) == 600
    assert rules.label_cost(policy, "mail", "refund", "JPY", "damaged", offers_labels=True) == 0  # the merchant's fault
    assert rules.label_cost(policy, "mail", "store_credit", "JPY", "changed_mind", offers_labels=True) == 0
    assert rules.label_cost({**policy, "free_return_methods": ["mail"]}, "mail", "refund", "JPY", offers_labels=True) == 0
    assert rules.label_cost({}, "mail", "refund", "JPY", offers_labels=True) == 0
    assert rules.method_label_costs(policy, resolution="refund", reason="other", currency="JPY",
                                    offers_labels=True)["mail"] == 600


def test_no_label_cost_without_a_label_provider():
    """No provider: the shopper pays the postage, no label is made, nothing is charged for one."""
    policy = {"label_cost": {"mail": "600", "drop_off": "300"}}
    assert rules.label_cost(policy, "mail", "refund", "JPY", "changed_mind", offers_labels=False) == 0
    assert rules.method_label_costs(policy, resolution="refund", reason="other", currency="JPY",
                                    offers_labels=False) == {m: 0 for m in rules.METHODS}
    # a label is only ever made for a posted return, whatever the policy says
    assert rules.label_cost(policy, "drop_off", "refund", "JPY", "changed_mind", offers_labels=True) == 0
    assert [lr.offers_labels(p) for p in ("", "easypost", "shippo", "jp_slip", "ups")] == [
        False, True, True, True, False]


def test_breakdown_takes_the_label_cost_once():
    line = rules.LineFacts(line_id="L1", title="Boots", quantity=1, unit_price_minor=5000, discount_minor=0,
                           tax_rate=Decimal("0.10"), final_sale=False, requested_quantity=0,
                           fulfilled_quantity=1, delivered_at=NOW)
    order = rules.OrderMoney(currency="JPY", prices_include_tax=True, lines=[line], order_discount_minor=0,
                             shipping_minor=0, shipping_tax_rate=Decimal("0.10"), total_minor=5000)
    policy = {"label_cost": {"mail": "600"}, "return_fee": {"mail": "300"}}
    b = rules.refund_breakdown(order, {"L1": 1}, reason="changed_mind", resolution="refund", method="mail",
                               policy=policy, previously_returned={}, offers_labels=True)
    assert [(p.kind, p.amount_minor) for p in b.parts] == [("items", 5000), ("fee", -300), ("label", -600)]
    without = rules.refund_breakdown(order, {"L1": 1}, reason="changed_mind", resolution="refund", method="mail",
                                     policy=policy, previously_returned={}, offers_labels=False)
    assert [(p.kind, p.amount_minor) for p in without.parts] == [("items", 5000), ("fee", -300)]
    assert without.total_minor == 4700
    assert b.total_minor == 4100
    kept = rules.refund_breakdown(order, {"L1": 1}, reason="changed_mind", resolution="refund", method="drop_off",
                                  policy=policy, previously_returned={})
    assert all(p.kind != "label" for p in kept.parts)


def test_a_failed_label_leaves_the_breakdown():
    stored = {"currency": "USD", "parts": [{"kind": "items", "amount_minor": 5000}, {"kind": "fee", "amount_minor": -300},
                                           {"kind": "label", "amount_minor": -650}], "total_minor": 4050}
    out = lr.without_label_charge(stored)
    assert out is not None and [p["kind"] for p in out["parts"]] == ["items", "fee"] and out["total_minor"] == 4700
    assert stored["total_minor"] == 4050  # the stored one is left as it was
    # a capped refund stays at its cap: the cap takes the label's place
    capped = {"parts": [{"kind": "items", "amount_minor": 5000}, {"kind": "label", "amount_minor": -650},
                        {"kind": "cap", "amount_minor": -1350}], "total_minor": 3000}
    out = lr.without_label_charge(capped)
    assert out is not None and out["total_minor"] == 3000
    assert out["parts"] == [{"kind": "items", "amount_minor": 5000}, {"kind": "cap", "amount_minor": -2000}]
    assert lr.without_label_charge({"parts": [{"kind": "items", "amount_minor": 5000}], "total_minor": 5000}) is None


def test_a_claim_outlives_the_longest_attempt():
    assert "cancelled" in lr.STATES and "cancelled" not in lr.RETRYABLE
    assert lr.CANCELLABLE == ("pending", "failed")  # never a label in a runner's hands
    assert lr.ATTEMPT_DEADLINE_SECONDS == lr.CALLS_PER_ATTEMPT * lr.CALL_TIMEOUT_SECONDS
    assert lr.LEASE_SECONDS > lr.ATTEMPT_DEADLINE_SECONDS * 2
