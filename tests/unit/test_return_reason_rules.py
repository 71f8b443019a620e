"""Each returned item's own reason (issue 20 item 7): mixed reasons, the fee waived per item (and
shared out over the items that pay it), a photo needed per item with its error next to that item,
and auto-approval that considers every item."""

from __future__ import annotations

from decimal import Decimal

from orderhub.db.returns import reason_rules, rules
from orderhub.db.returns.rules import LineFacts, OrderMoney

POLICY = {"free_return_methods": ["in_store"], "return_fee": {"mail": "550"},
          "photo_required_reasons": ["damaged", "wrong_item"], "review_reasons": ["other"]}


def order(shipping: int = 0) -> OrderMoney:
    lines = [LineFacts("L1", "Trail runner", 1, 13200, 0, Decimal("0.10")),
             LineFacts("L2", "Energy bars", 2, 1080, 0, Decimal("0.08"))]
    return OrderMoney("JPY", True, lines, 0, shipping, Decimal("0.10"), 13200 + 2160 + shipping)


def breakdown(reasons: dict[str, str], items=None, method="mail", shipping=0) -> rules.Breakdown:
    return rules.refund_breakdown(order(shipping), items or {"L1": 1, "L2": 2},
                                  reason=reason_rules.fee_reason(POLICY, reasons), resolution="refund",
                                  method=method, policy=POLICY, previously_returned={})


def test_an_item_takes_its_own_reason_else_the_one_for_all():
    data = {"reason": "too_small", "reasons": {"L2": "damaged"}, "comments": {"L2": "crushed box"}}
    assert reason_rules.reasons_of(data, ["L1", "L2"]) == {"L1": "too_small", "L2": "damaged"}
    assert reason_rules.comments_of(data, ["L1", "L2"]) == {"L1": "", "L2": "crushed box"}
    assert reason_rules.headline({"L1": "too_small", "L2": "damaged"}) == "too_small"
    # the one-tap shortcut: one reason for all
    assert reason_rules.reasons_of({"reason": "changed_mind"}, ["L1", "L2"]) == {
        "L1": "changed_mind", "L2": "changed_mind"}


def test_a_merchant_fault_item_carries_no_fee_and_the_breakdown_says_so():
    mixed = {"L1": "too_small", "L2": "damaged"}
    b = breakdown(mixed)
    assert b.part("fee") == -550  # the shopper's own choice (L1) still costs the mail fee
    items = {i.line_id: i for i in reason_rules.item_reasons(b, POLICY, mixed)}
    assert items["L1"].fee_minor == 550 and not items["L1"].fee_waived
    assert items["L2"].fee_minor == 0 and items["L2"].fee_waived and items["L2"].merchant_fault
    stored = reason_rules.breakdown_json(b, list(items.values()))
    assert [(i["line_id"], i["reason"], i["fee_minor"], i["fee_waived"]) for i in stored["items"]] == [
        ("L1", "too_small", 550, False), ("L2", "damaged", 0, True)]


def test_the_fee_is_shared_by_value_over_the_items_that_pay_it():
    both = {"L1": "too_small", "L2": "changed_mind"}
    items = reason_rules.item_reasons(breakdown(both), POLICY, both)
    assert [i.fee_minor for i in items] == [473, 77] and sum(i.fee_minor for i in items) == 550


def test_every_item_the_merchants_fault_no_fee_and_shipping_back():
    fault = {"L1": "wrong_item", "L2": "damaged"}
    b = breakdown(fault, shipping=800)
    assert b.part("fee") == 0 and b.part("shipping") == 800
    assert all(i.fee_waived and i.fee_minor == 0 for i in reason_rules.item_reasons(b, POLICY, fault))
    assert reason_rules.method_fees(POLICY, resolution="refund", reasons=fault, currency="JPY")["mail"] == 0
    assert reason_rules.all_waived(POLICY, fault)
    # one item that is not: the fee is due, shipping stays (the whole order is not the merchant's fault)
    mixed = {"L1": "too_small", "L2": "damaged"}
    assert breakdown(mixed, shipping=800).part("shipping") == 0
    assert reason_rules.method_fees(POLICY, resolution="refund", reasons=mixed, currency="JPY")["mail"] == 550
    # a merchant who turned the waiver off charges the fee for everything
    off = {**POLICY, "waive_fee_for_merchant_fault": False}
    assert not any(i.fee_waived for i in reason_rules.item_reasons(breakdown(fault), off, fault))


def test_a_photo_is_needed_per_item_and_the_error_is_next_to_that_item():
    data = {"reason": "too_small", "reasons": {"L2": "damaged"}}
    errors = reason_rules.check_reasons(data, ["L1", "L2"], POLICY, shared_photo=False, line_photos=[])
    assert [(e["field"], e["code"]) for e in errors] == [("photos.L2", rules.PHOTO_REQUIRED)]
    assert reason_rules.check_reasons(data, ["L1", "L2"], POLICY, shared_photo=False, line_photos=["L2"]) == []
    # the item that takes the reason for all: the photo for all is the one asked for
    shared = {"reason": "damaged", "reasons": {"L1": "too_small"}}
    errors = reason_rules.check_reasons(shared, ["L1", "L2"], POLICY, shared_photo=False, line_photos=[])
    assert [e["field"] for e in errors] == ["photo"]
    assert reason_rules.check_reasons(shared, ["L1", "L2"], POLICY, shared_photo=True, line_photos=[]) == []
    steps = reason_rules.reason_step(order().lines, {"reason": "too_small", "reasons": {"L2": "wrong_item"}}, POLICY)
    assert [(s.line_id, s.reason, s.photo_needed) for s in steps] == [("L1", "", False), ("L2", "wrong_item", True)]


def test_a_missing_or_bad_reason_is_reported_where_it_belongs():
    fields = lambda data: [e["field"] for e in reason_rules.check_reasons(  # noqa: E731
        data, ["L1", "L2"], POLICY, shared_photo=True, line_photos=[])]
    assert fields({}) == ["reason"]
    assert fields({"reasons": {"L1": "too_small"}}) == ["reasons.L2"]
    assert fields({"reason": "too_small", "reasons": {"L1": "<script>"}}) == ["reasons.L1"]
    assert fields({"reason": "nope"}) == ["reason"]
    assert fields({"reason": "too_small", "reasons": {"L9": "damaged"}}) == ["reasons.L9"]
    assert fields({"reason": "too_small", "comments": {"L1": "x" * (rules.MAX_COMMENT + 1)}}) == ["comments.L1"]
    # every item with its own reason needs no reason for all
    assert fields({"reasons": {"L1": "too_small", "L2": "damaged"}}) == []
    assert rules.reason_given({"items": {"L1": 1, "L2": 1}, "reasons": {"L1": "too_small", "L2": "damaged"}})
    assert not rules.reason_given({"items": {"L1": 1, "L2": 1}, "reasons": {"L1": "too_small"}})


def test_auto_approval_considers_every_item():
    assert reason_rules.auto_approve({"L1": "too_small", "L2": "damaged"}, 1000, POLICY, "JPY")
    assert not reason_rules.auto_approve({"L1": "too_small", "L2": "other"}, 1000, POLICY, "JPY")
    assert not reason_rules.auto_approve({}, 1000, POLICY, "JPY")
