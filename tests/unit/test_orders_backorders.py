"""Backorders and delays (issue 19 item 5): what a line says about units waiting for stock, when an
unshipped order is late, which date the shopper is told, and when that is news again."""

from __future__ import annotations

import datetime as dt

import pytest

from orderhub.db.orders import rules
from orderhub.db.shipping import rules as shipping_rules
from orderhub.db.validation import Reader

PLACED = dt.datetime(2026, 11, 16, 1, 15, tzinfo=dt.UTC)  # Monday 10:15 in Tokyo
D = dt.date


def _read(line: dict) -> tuple[dict, list]:
    r = Reader()
    got = rules.read_backorder(r, line, "lines[0]", 3, PLACED)
    return got, r.errors


def test_a_line_reads_its_backorder():
    assert _read({})[0] == {"backordered_quantity": 0, "expected_ship_date": None}
    got, errors = _read({"backordered": 2, "expected_ship_date": "2026-12-01"})
    assert errors == [] and got == {"backordered_quantity": 2, "expected_ship_date": D(2026, 12, 1)}
    assert _read({"backordered": 3})[1] == []  # the whole line, no date yet


@pytest.mark.parametrize(("line", "field"), [
    ({"backordered": 4}, "lines[0].backordered"),                         # more than the line's quantity
    ({"backordered": -1}, "lines[0].backordered"),
    ({"backordered": "2"}, "lines[0].backordered"),
    ({"backordered": True}, "lines[0].backordered"),
    ({"backordered": 1, "expected_ship_date": "12/01/2026"}, "lines[0].expected_ship_date"),
    ({"backordered": 1, "expected_ship_date": "2026-02-30"}, "lines[0].expected_ship_date"),
    ({"backordered": 1, "expected_ship_date": 20261201}, "lines[0].expected_ship_date"),
    ({"expected_ship_date": "2026-12-01"}, "lines[0].expected_ship_date"),  # a date without units waiting
    ({"backordered": 1, "expected_ship_date": "2026-11-01"}, "lines[0].expected_ship_date"),  # before the order
])
def test_bad_backorders_name_their_field(line, field):
    errors = _read(line)[1]
    assert errors and {e["field"] for e in errors} == {field}


def test_a_backorder_never_counts_units_already_shipped():
    assert rules.line_backorder(3, 0, 2, D(2026, 12, 1)) == rules.Backorder(2, D(2026, 12, 1))
    assert rules.line_backorder(3, 2, 2, None) == rules.Backorder(1, None)  # one unit still waits
    assert rules.line_backorder(3, 3, 2, D(2026, 12, 1)) is None  # all shipped: nothing waits
    assert rules.line_backorder(3, 0, 0, None) is None


def _delay(today: D, dates=(), unshipped=True) -> rules.Delay | None:
    backorders = [rules.Backorder(1, d) for d in dates] + [None]
    return rules.shipping_delay(unshipped=unshipped, promised_ship_date=D(2026, 11, 17), today=today,
                                ships_from=rules.backorder_ship_date(backorders), next_ship_date=D(2026, 11, 24))


def test_the_backorders_ship_date_is_the_latest_date_given():
    assert rules.backorder_ship_date([]) is None
    assert rules.backorder_ship_date([None, rules.Backorder(2, None)]) is None
    assert rules.backorder_ship_date([rules.Backorder(1, D(2026, 12, 3)), None,
                                      rules.Backorder(2, D(2026, 12, 1))]) == D(2026, 12, 3)


def test_late_only_after_the_promised_ship_day_with_units_to_ship():
    assert _delay(D(2026, 11, 17)) is None  # the promised day itself is not late
    assert _delay(D(2026, 11, 18), unshipped=False) is None  # everything shipped
    late = _delay(D(2026, 11, 18))
    assert late == rules.Delay(D(2026, 11, 17), D(2026, 11, 24), from_storefront=False)


def test_the_storefronts_date_wins_while_it_is_ahead():
    assert _delay(D(2026, 11, 18), [D(2026, 12, 1), None, D(2026, 11, 28)]) == rules.Delay(
        D(2026, 11, 17), D(2026, 12, 1), from_storefront=True)
    # the storefront's date has passed too: our estimate (never a day in the past)
    assert _delay(D(2026, 12, 2), [D(2026, 12, 1)]) == rules.Delay(D(2026, 11, 17), D(2026, 12, 2), False)


def test_a_delay_is_news_once_and_again_only_when_the_storefront_moves_it_later():
    ours = rules.Delay(D(2026, 11, 17), D(2026, 11, 24), False)
    theirs = rules.Delay(D(2026, 11, 17), D(2026, 12, 1), True)
    assert rules.delay_is_news(ours, None) and rules.delay_is_news(theirs, None)
    assert not rules.delay_is_news(None, None)
    assert not rules.delay_is_news(ours, D(2026, 11, 20))  # our own estimate moving never re-announces
    assert rules.delay_is_news(theirs, D(2026, 11, 24))  # the storefront moved it later
    assert not rules.delay_is_news(theirs, D(2026, 12, 1))  # the same date again
    assert not rules.delay_is_news(rules.Delay(D(2026, 11, 17), D(2026, 11, 28), True), D(2026, 12, 1))  # earlier


def test_the_promised_ship_day_is_the_shipping_rules_processing_promise():
    """Placed Monday 10:15 in Tokyo, before the 15:00 cut-off, one processing day: it leaves Tuesday."""
    settings = shipping_rules.read_delivery_settings({}, "JP")
    cal = shipping_rules.Calendar(settings["calendar"])
    assert shipping_rules.ships_on(PLACED, "Asia/Tokyo", cal, settings) == D(2026, 11, 17)


def test_unshipped_items_arrive_no_earlier_than_the_backorders_ship_date():
    """The hub's delivery promise of items not shipped yet counts from the storefront's expected ship
    date when it is later than the processing promise (Wednesday 2 Dec: arrives Fri 4 - Tue 8 Dec)."""
    settings = shipping_rules.read_delivery_settings({}, "JP")
    cal = shipping_rules.Calendar(settings["calendar"])
    now = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
    common = dict(placed_at=PLACED, now=now, tz="Asia/Tokyo", cal=cal, settings=settings,
                  transit=shipping_rules.learn_transit([], settings))
    usual = shipping_rules.unshipped_promise(**common)
    assert usual.late  # it should have left on 17 Nov
    later = shipping_rules.unshipped_promise(**common, ships_from=D(2026, 12, 2))
    assert not later.late and (later.date_from, later.date_to) == (D(2026, 12, 4), D(2026, 12, 8))
    weekend = shipping_rules.unshipped_promise(**common, ships_from=D(2026, 12, 5))  # a Saturday: leaves Monday
    assert (weekend.date_from, weekend.date_to) == (D(2026, 12, 9), D(2026, 12, 11))
    earlier = shipping_rules.unshipped_promise(**common, ships_from=D(2026, 11, 10))
    assert earlier == usual
