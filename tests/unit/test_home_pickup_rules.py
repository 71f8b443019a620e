"""Home pickup rules (db/returns/home_pickup_rules) with an injected `now`: which dates are bookable,
the cut-off's edges, the merchant's time zone (Tokyo and New York, the latter across its DST change),
whether a change is still free; and the slot in words (components/home_pickup), ja and en."""

from __future__ import annotations

import datetime as dt

import pytest

from orderhub.components import home_pickup as words
from orderhub.components.i18n import language
from orderhub.db import validation as v
from orderhub.db.returns import home_pickup_rules as rules

TOKYO, NEW_YORK = "Asia/Tokyo", "America/New_York"
UTC = dt.UTC


def cfg(**over) -> rules.Config:
    return rules.config_of({"home_pickup": {**rules.DEFAULT_CONFIG, **over}})


def test_defaults_are_yamatos_slots_monday_to_saturday():
    c = cfg()
    assert c.carrier == "yamato" and [s.code for s in c.slots] == [
        "08:00-12:00", "14:00-16:00", "16:00-18:00", "18:00-20:00", "19:00-21:00"]
    assert c.weekdays == frozenset(range(6)) and (c.min_days, c.max_days) == (1, 7)
    assert c.cutoff == dt.time(17) and c.cutoff_days_before == 1


def test_bookable_dates_in_tokyo_before_and_after_the_cut_off():
    # Sunday 22 Nov 2026, 16:59:59 in Tokyo: Monday is still bookable (cut-off 17:00 today), Sunday 29 is not
    before = dt.datetime(2026, 11, 22, 7, 59, 59, tzinfo=UTC)
    days = rules.bookable_dates(cfg(), before, TOKYO)
    assert days[0] == dt.date(2026, 11, 23) and dt.date(2026, 11, 29) not in days
    assert days[-1] == dt.date(2026, 11, 28)  # a week ahead at most
    at = dt.datetime(2026, 11, 22, 8, 0, tzinfo=UTC)  # 17:00 sharp: Monday is closed
    assert rules.bookable_dates(cfg(), at, TOKYO)[0] == dt.date(2026, 11, 24)


def test_the_local_day_decides_not_utcs():
    # 23:30 UTC on the 22nd is already 08:30 on Monday the 23rd in Tokyo: tomorrow is Tuesday
    now = dt.datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert rules.local_today(now, TOKYO) == dt.date(2026, 11, 23)
    assert rules.bookable_dates(cfg(), now, TOKYO)[0] == dt.date(2026, 11, 24)
    # the same moment is still Sunday evening in New York: Monday's cut-off (17:00 Sunday) has passed
    assert rules.bookable_dates(cfg(), now, NEW_YORK)[0] == dt.date(2026, 11, 24)


def test_cut_off_in_new_york_follows_its_offset_across_dst():
    c = cfg(cutoff="18:00")
    # 2 Nov 2026 (Monday): the day before is Sunday 1 Nov, when New York moves from EDT to EST
    assert rules.cutoff_at(c, dt.date(2026, 11, 2), NEW_YORK) == dt.datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    assert rules.cutoff_at(c, dt.date(2026, 10, 30), NEW_YORK) == dt.datetime(2026, 10, 29, 22, 0, tzinfo=UTC)
    start, end = rules.window(dt.date(2026, 11, 2), rules.Slot("09:00-12:00"), NEW_YORK)
    assert (start, end) == (dt.datetime(2026, 11, 2, 14, tzinfo=UTC), dt.datetime(2026, 11, 2, 17, tzinfo=UTC))


def test_same_day_cut_off_and_min_days_zero():
    c = cfg(min_days=0, cutoff="10:00", cutoff_days_before=0)
    morning = dt.datetime(2026, 11, 24, 0, 59, tzinfo=UTC)  # 09:59 Tuesday in Tokyo
    assert rules.bookable_dates(c, morning, TOKYO)[0] == dt.date(2026, 11, 24)
    late = dt.datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00
    assert rules.bookable_dates(c, late, TOKYO)[0] == dt.date(2026, 11, 25)


def test_check_choice_names_the_wrong_field():
    now = dt.datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    assert rules.check_choice(cfg(), dt.date(2026, 11, 23), "14:00-16:00", now, TOKYO) == []
    assert [e["field"] for e in rules.check_choice(cfg(), dt.date(2026, 11, 29), "14:00-16:00", now, TOKYO)] == ["date"]
    assert [e["field"] for e in rules.check_choice(cfg(), None, "10:00-11:00", now, TOKYO)] == ["date", "slot"]


def test_change_refusal_and_free_change_at_the_cut_off_edge():
    day = dt.date(2026, 11, 23)
    c = cfg()
    just_before = dt.datetime(2026, 11, 22, 7, 59, 59, tzinfo=UTC)
    at = dt.datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    kw = {"return_status": "approved", "booking_status": "active", "day": day, "config": c, "tz": TOKYO}
    assert rules.change_refusal(now=just_before, **kw) is None
    assert rules.change_is_free(day=day, config=c, now=just_before, tz=TOKYO)
    assert rules.change_refusal(now=at, **kw) == rules.PAST_CUTOFF
    assert not rules.change_is_free(day=day, config=c, now=at, tz=TOKYO)
    assert rules.change_refusal(now=just_before, **{**kw, "booking_status": None}) == rules.NO_BOOKING
    assert rules.change_refusal(now=just_before, **{**kw, "return_status": "in_transit"}) == rules.NOT_BOOKABLE


def test_booking_refusal():
    ok = {"return_status": "approved", "method": "home_pickup", "keep_item": False, "has_active": False}
    assert rules.booking_refusal(**ok) is None
    assert rules.booking_refusal(**{**ok, "has_active": True}) == rules.ALREADY_BOOKED
    for bad in ({"return_status": "requested"}, {"method": "mail"}, {"keep_item": True}):
        assert rules.booking_refusal(**{**ok, **bad}) == rules.NOT_BOOKABLE


@pytest.mark.parametrize("given, field", [
    ({"slots": ["16:00-14:00"]}, "policy.home_pickup.slots[0]"),
    ({"slots": []}, "policy.home_pickup.slots"),
    ({"weekdays": [7]}, "policy.home_pickup.weekdays"),
    ({"weekdays": ["mon"]}, "policy.home_pickup.weekdays"),
    ({"cutoff": "5pm"}, "policy.home_pickup.cutoff"),
    ({"min_days": 5, "max_days": 2}, "policy.home_pickup.max_days"),
    ({"carrier": "pigeon"}, "policy.home_pickup.carrier"),
])
def test_read_config_refuses_bad_settings(given, field):
    r = v.Reader()
    rules.read_config(r, given)
    assert field in [e["field"] for e in r.errors]


def test_read_config_keeps_good_settings_sorted():
    r = v.Reader()
    got = rules.read_config(r, {"carrier": "ups", "slots": ["13:00-17:00", "09:00-12:00", "09:00-12:00"],
                                "weekdays": [4, 0], "cutoff": "18:00"})
    assert r.errors == [] and got["slots"] == ["09:00-12:00", "13:00-17:00"] and got["weekdays"] == [0, 4]


def test_slot_words_ja_and_en():
    start, end = rules.window(dt.date(2026, 12, 8), rules.Slot("14:00-16:00"), TOKYO)
    with language("ja"):
        assert words.slot_words(start, end, TOKYO) == "12月8日（火）14〜16時"
    with language("en"):
        assert words.slot_words(start, end, TOKYO) == "Tue 8 Dec, 2–4 pm"
    start, end = rules.window(dt.date(2026, 12, 8), rules.Slot("08:00-12:00"), TOKYO)
    with language("en"):
        assert words.slot_hours(start, end, TOKYO) == "8 am–12 pm"
    start, end = rules.window(dt.date(2026, 12, 8), rules.Slot("10:30-13:00"), NEW_YORK)
    with language("ja"):
        assert words.slot_words(start, end, NEW_YORK) == "12月8日（火）10時30分〜13時"
    with language("en"):
        assert words.slot_words(start, end, NEW_YORK) == "Tue 8 Dec, 10:30 am–1 pm"
