"""Pure rules of issue 20's gaps: the 着払い slip's tracking number as a person types it, when it may be
changed, and returned items counted by their own reason."""

from __future__ import annotations

import pytest

from orderhub.db.returns import label_rules, reason_rules


@pytest.mark.parametrize(("typed", "stored"), [
    ("444413758703", "444413758703"),            # Yamato
    ("5125-4751-4334", "512547514334"),          # Sagawa, as printed
    ("４０５５－４８４２－４８８６", "405548424886"),  # Japan Post, full-width from a phone keyboard
    (" 4444 1375 8703 ", "444413758703"),
    ("4444ー1375ー8703", "444413758703"),         # the IME's long vowel mark for a hyphen
])
def test_numbers_as_typed(typed, stored):
    assert label_rules.read_slip_number("yamato", typed) == (stored, "")


@pytest.mark.parametrize(("typed", "code"), [
    ("", label_rules.SLIP_NUMBER_REQUIRED), ("   ", label_rules.SLIP_NUMBER_REQUIRED),
    (None, label_rules.SLIP_NUMBER_REQUIRED), (12, label_rules.SLIP_NUMBER_REQUIRED),
    ("44441375870", label_rules.SLIP_NUMBER_FORMAT), ("4444137587030", label_rules.SLIP_NUMBER_FORMAT),
    ("<b>444413758703</b>", label_rules.SLIP_NUMBER_FORMAT), ("４" * 41, label_rules.SLIP_NUMBER_FORMAT),
    ("٤٤٤٤١٣٧٥٨٧٠٣", label_rules.SLIP_NUMBER_FORMAT),  # other scripts' digits are not the carrier's
    ("444413758704", label_rules.SLIP_NUMBER_CHECK),
])
def test_refusals_say_why(typed, code):
    assert label_rules.read_slip_number("sagawa", typed) == ("", code)


def test_editable_until_the_first_carrier_event():
    editable = label_rules.slip_number_editable
    assert editable("jp_slip", "created", "", "approved") and editable("jp_slip", "created", "", "in_transit")
    assert not editable("jp_slip", "created", "in_transit", "approved")
    assert not editable("jp_slip", "pending", "", "approved")
    assert not editable("easypost", "created", "", "approved")
    assert not editable("jp_slip", "created", "", "received")


def test_items_by_reason_weighs_units_and_falls_back_to_the_return():
    counts = reason_rules.items_by_reason(
        {1: "too_small", 2: "changed_mind"},
        [(1, 10, 1), (1, 11, 2), (2, 20, 3), (2, 21, 0)],
        {11: "damaged"})
    assert counts == {"too_small": 1, "damaged": 2, "changed_mind": 3}
