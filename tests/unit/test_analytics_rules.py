"""Decisions of the merchant dashboard that read other areas' vocabularies (db/analytics/rules.py)."""

from __future__ import annotations

import datetime as dt

from orderhub.db.analytics import rules

UTC = dt.UTC
DAY = (dt.datetime(2026, 11, 22, tzinfo=UTC), dt.datetime(2026, 11, 23, tzinfo=UTC))


def at(hour: int, day: int = 22) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=UTC)


def test_open_returns_are_the_ones_waiting_for_a_decision():
    assert rules.RETURNS_AWAITING_DECISION == ("requested",)


def test_pickup_counts_for_today():
    pickups = [
        rules.PickupFact("ready", None, at(18)),  # waiting, due today
        rules.PickupFact("on_the_way", None, at(10, day=24)),  # waiting
        rules.PickupFact("arrived", None, None),  # waiting, at the store now
        rules.PickupFact("picked_up", at(9), at(18)),  # done today
        rules.PickupFact("picked_up", at(9, day=21), None),  # done yesterday
        rules.PickupFact("preparing", None, None),
    ]
    counts = rules.pickup_counts(pickups, *DAY)
    assert (counts.waiting, counts.arrived, counts.done_today, counts.due_today) == (3, 1, 1, 1)
