"""The counter's decisions (db/returns/rules.py): who may receive a return where, when the refund goes
out at once, what a grade means for the item, how long an undo is allowed, and what a clerk's typed
or scanned text is."""

from __future__ import annotations

import datetime as dt

import pytest

from orderhub.db.pickup import rules as pickup_rules
from orderhub.db.returns import rules

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("status", "method", "store", "clerk", "expected"), [
    ("approved", "in_store", "shibuya", "shibuya", None),
    ("in_transit", "in_store", "shibuya", "shibuya", None),
    ("approved", "drop_off", "", "shinjuku", None),  # a drop-off return: any store of the merchant
    ("approved", "in_store", "shibuya", "shinjuku", rules.COUNTER_WRONG_STORE),
    ("approved", "mail", "", "shibuya", rules.COUNTER_NOT_AT_COUNTER),
    ("approved", "home_pickup", "", "shibuya", rules.COUNTER_NOT_AT_COUNTER),
    ("requested", "in_store", "shibuya", "shibuya", rules.COUNTER_NOT_APPROVED),
    ("received", "in_store", "shibuya", "shibuya", rules.COUNTER_ALREADY_RECEIVED),
    ("refunded", "in_store", "shibuya", "shibuya", rules.COUNTER_ALREADY_RECEIVED),
    ("cancelled", "in_store", "shibuya", "shibuya", rules.COUNTER_CLOSED),
    ("expired", "drop_off", "", "shibuya", rules.COUNTER_CLOSED),
])
def test_who_may_receive_where(status, method, store, clerk, expected):
    assert rules.counter_refusal(status=status, method=method, store_code=store, clerk_store=clerk) == expected


def test_refund_at_once_only_when_the_merchant_says_so_and_everything_is_there():
    at_drop_off = {"counter_refund": "at_drop_off"}
    assert rules.refunds_at_counter(at_drop_off, "refund", ["resellable", "damaged"])
    assert rules.refunds_at_counter(at_drop_off, "store_credit", ["resellable"])
    assert not rules.refunds_at_counter(at_drop_off, "refund", ["resellable", "missing"])
    assert not rules.refunds_at_counter(at_drop_off, "exchange", ["resellable"])
    assert not rules.refunds_at_counter(at_drop_off, "refund", [])
    assert not rules.refunds_at_counter({}, "refund", ["resellable"])  # after inspection by default
    assert not rules.refunds_at_counter({"counter_refund": "whenever"}, "refund", ["resellable"])


def test_grades():
    assert rules.graded_item("resellable") == (True, "received", "accepted")
    assert rules.graded_item("damaged") == (True, "received", "accepted")
    assert rules.graded_item("missing") == (False, "missing", "rejected")
    assert rules.graded_item("") == (True, "received", "accepted")  # the warehouse, ungraded


def test_undo_window_is_the_pickups_and_only_for_the_store_that_received():
    counter = {"at": NOW.isoformat(), "store": "shibuya", "refunded": True}
    assert rules.COUNTER_UNDO_WINDOW == pickup_rules.UNDO_WINDOW
    assert rules.can_undo_counter("received", counter, "shibuya", NOW + pickup_rules.UNDO_WINDOW)
    assert not rules.can_undo_counter("received", counter, "shibuya",
                                      NOW + pickup_rules.UNDO_WINDOW + dt.timedelta(seconds=1))
    assert not rules.can_undo_counter("received", counter, "shinjuku", NOW)
    assert rules.can_undo_counter("refunded", counter, "shibuya", NOW)
    assert not rules.can_undo_counter("refunded", {**counter, "refunded": False}, "shibuya", NOW)  # refunded later
    assert not rules.can_undo_counter("exchanged", counter, "shibuya", NOW)
    assert not rules.can_undo_counter("received", {}, "shibuya", NOW)


@pytest.mark.parametrize(("typed", "is_return"), [
    ("ABCDEFGH23", True), (" abcdefgh23 ", True), ("RMA:RMA-000001:ABCDEFGH23", True), ("rma:anything", True),
    ("ABCD-EFGH", False), ("OHP:ABCDEFGH", False), ("ABCDEFGH", False), ("ABCDEFGHI1", False),  # 1 and I: no
    ("", False), ("\x00" * 10, False), ("<script>", False),
])
def test_what_a_clerk_typed(typed, is_return):
    assert rules.looks_like_return_code(typed) is is_return


def test_a_return_code_is_only_its_alphabet():
    assert rules.is_return_code("ABCDEFGH23")
    assert not rules.is_return_code("ABCDEFGH2\x00")
    assert not rules.is_return_code("ＡＢＣＤＥＦＧＨ23")
    assert rules.counter_code("RMA:RMA-000001:abcdefgh23") == "ABCDEFGH23"
