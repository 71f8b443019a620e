"""Decision tables for every pickup transition, codes, deadlines and store hours."""

import datetime as dt

import pytest

from orderhub.db.pickup import rules

STATES = rules.STATES
ACTORS_TARGETS = [
    ("merchant", "preparing"), ("merchant", "ready"), ("merchant", "cancelled"),
    ("shopper", "on_the_way"), ("shopper", "arrived"), ("staff", "picked_up"), ("system", "expired"),
]
ALLOWED = {
    ("merchant", "preparing"): {"placed", "preparing"},
    ("merchant", "ready"): {"placed", "preparing", "ready", "expired"},
    ("merchant", "cancelled"): {"placed", "preparing", "ready", "on_the_way", "arrived", "expired", "cancelled"},
    ("shopper", "on_the_way"): {"ready", "on_the_way"},
    ("shopper", "arrived"): {"ready", "on_the_way", "arrived"},
    ("staff", "picked_up"): {"ready", "on_the_way", "arrived"},
    ("system", "expired"): {"ready"},
}


@pytest.mark.parametrize("actor,target", ACTORS_TARGETS)
@pytest.mark.parametrize("current", STATES)
def test_every_transition(actor, target, current):
    if current in ALLOWED[(actor, target)]:
        rules.check_move(actor, current, target)
    else:
        with pytest.raises(rules.IllegalMove) as err:
            rules.check_move(actor, current, target)
        assert err.value.message


@pytest.mark.parametrize("actor,target", [
    ("shopper", "picked_up"), ("shopper", "ready"), ("shopper", "cancelled"), ("merchant", "picked_up"),
    ("merchant", "arrived"), ("staff", "ready"), ("staff", "cancelled"), ("system", "picked_up"),
])
@pytest.mark.parametrize("current", STATES)
def test_moves_nobody_may_make(actor, target, current):
    with pytest.raises(rules.IllegalMove):
        rules.check_move(actor, current, target)


def test_the_shopper_can_never_hand_over():
    for current in STATES:
        with pytest.raises(rules.IllegalMove):
            rules.check_move("shopper", current, "picked_up")


def test_nothing_leaves_picked_up_but_undo():
    for actor, target in ACTORS_TARGETS:
        with pytest.raises(rules.IllegalMove):
            rules.check_move(actor, "picked_up", target)
    with pytest.raises(rules.IllegalMove, match="already picked up"):
        rules.check_move("staff", "picked_up", "picked_up")


NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("state,minutes_ago,ok", [
    ("picked_up", 0, True), ("picked_up", 5, True), ("picked_up", 6, False), ("ready", 1, False),
    ("arrived", 1, False),
])
def test_undo_window(state, minutes_ago, ok):
    assert rules.can_undo(state, NOW - dt.timedelta(minutes=minutes_ago), NOW) is ok
    assert rules.can_undo("picked_up", None, NOW) is False


@pytest.mark.parametrize("state,deadline_in,overdue", [
    ("ready", -1, True), ("ready", 0, True), ("ready", 1, False), ("arrived", -1, False),
    ("on_the_way", -1, False), ("picked_up", -1, False), ("cancelled", -1, False),
])
def test_overdue(state, deadline_in, overdue):
    assert rules.is_overdue(state, NOW + dt.timedelta(minutes=deadline_in), NOW) is overdue
    assert rules.is_overdue("ready", None, NOW) is False


@pytest.mark.parametrize("state,hours_left,reminded,due", [
    ("ready", 30, False, False), ("ready", 24, False, True), ("ready", 2, False, True), ("ready", 2, True, False),
    ("ready", -1, False, False), ("on_the_way", 3, False, True), ("arrived", 3, False, False),
    ("picked_up", 3, False, False),
])
def test_reminder(state, hours_left, reminded, due):
    deadline = NOW + dt.timedelta(hours=hours_left)
    assert rules.needs_reminder(state, deadline, NOW if reminded else None, NOW) is due


def test_codes_are_short_typeable_and_unambiguous():
    codes = {rules.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 8 and set(code) <= set(rules.ALPHABET)
        assert not set(code) & set("01OIL")
    assert len(rules.ALPHABET) ** rules.CODE_LENGTH > 8 * 10 ** 11


@pytest.mark.parametrize("typed,expected", [
    ("ABCD2345", "ABCD2345"), ("abcd-2345", "ABCD2345"), (" ab cd 23 45 ", "ABCD2345"), ("OHP:ABCD2345", "ABCD2345"),
    ("ohp:abcd-2345", "ABCD2345"), ("ABCD234", None), ("ABCD23450", None), ("ABCD234O", None), ("", None),
    ("<script>", None), ("A" * 10000, None),
])
def test_normalize_code(typed, expected):
    assert rules.normalize_code(typed) == expected


def test_display_and_payload():
    assert rules.display_code("ABCD2345") == "ABCD-2345"
    assert rules.qr_payload("ABCD2345") == "OHP:ABCD2345"


def test_default_deadline_is_end_of_store_day():
    ready = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)  # 12:00 in Tokyo
    deadline = rules.default_deadline(ready, 7, "Asia/Tokyo")
    assert deadline == dt.datetime(2026, 11, 29, 14, 59, tzinfo=dt.timezone.utc)  # 23:59 JST


HOURS = [{"days": "mon-fri", "open": "11:00", "close": "20:00"}, {"days": "sat", "open": "10:00", "close": "18:00"}]


def test_week_hours_in_store_time_zone():
    # 2026-11-22T16:00Z is Monday 01:00 in Tokyo, still Sunday in New York
    now = dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.timezone.utc)
    tokyo = rules.week_hours(HOURS, "Asia/Tokyo", now)
    assert tokyo[0].date == dt.date(2026, 11, 23) and tokyo[0].open == "11:00" and tokyo[0].today
    assert len(tokyo) == 7 and tokyo[6].closed  # Sunday: not listed, closed
    ny = rules.week_hours(HOURS, "America/New_York", now)
    assert ny[0].date == dt.date(2026, 11, 22) and ny[0].closed
    assert ny[6].open == "10:00"  # Saturday
    assert rules.open_now(tokyo[0], now, "Asia/Tokyo") is False  # 01:00
    assert rules.open_now(tokyo[0], now.replace(hour=3), "Asia/Tokyo") is True  # 12:00


def test_week_hours_tolerates_bad_entries():
    week = rules.week_hours([{"days": "nope"}, "x", {"days": "sat-mon", "open": "09:00", "close": "17:00"}],
                            "UTC", NOW)
    assert [d.open for d in week if not d.closed] == ["09:00", "09:00", "09:00"]
