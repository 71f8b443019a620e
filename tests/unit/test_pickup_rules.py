"""Decision tables for every pickup transition, codes, deadlines and store hours."""

import datetime as dt
import re
from pathlib import Path

import pytest

from orderhub.components import i18n
from orderhub.db.errors import Conflict
from orderhub.db.pickup import rules
from orderhub.db.pickup.queries import PickupView
from orderhub.site.messages.pickup import MESSAGES, STAFF

ROOT = Path(__file__).resolve().parents[2]

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


NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)


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
    ready = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)  # 12:00 in Tokyo
    deadline = rules.default_deadline(ready, 7, "Asia/Tokyo")
    assert deadline == dt.datetime(2026, 11, 29, 14, 59, tzinfo=dt.UTC)  # 23:59 JST


HOURS = [{"days": "mon-fri", "open": "11:00", "close": "20:00"}, {"days": "sat", "open": "10:00", "close": "18:00"}]


def test_week_hours_in_store_time_zone():
    # 2026-11-22T16:00Z is Monday 01:00 in Tokyo, still Sunday in New York
    now = dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.UTC)
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


# --- what each state means to the pages (one home: rules; the views ask) -----------------------

#: state -> (final, collectable, arrival prompt, on-my-way prompt, alternate prompt, being prepared, badge tone)
MEANING = {
    "placed": (False, False, False, False, False, True, "muted"),
    "preparing": (False, False, False, False, False, True, "muted"),
    "ready": (False, True, True, True, True, False, "info"),
    "on_the_way": (False, True, True, False, True, False, "info"),
    "arrived": (False, True, True, False, True, False, "warn"),
    "picked_up": (True, False, False, False, False, False, "good"),
    "expired": (True, False, False, False, False, False, "bad"),
    "cancelled": (True, False, False, False, False, False, "bad"),
}


def test_the_meaning_table_covers_every_state():
    assert set(MEANING) == set(STATES)


@pytest.mark.parametrize("state", STATES)
def test_state_decisions(state):
    final, collectable, arrival, on_my_way, alternate, prepared, tone = MEANING[state]
    assert rules.is_final(state) is final
    assert rules.is_collectable(state) is collectable
    assert rules.shows_arrival_prompt(state) is arrival
    assert rules.shows_on_my_way_prompt(state) is on_my_way
    assert rules.shows_alternate_prompt(state) is alternate
    assert rules.is_being_prepared(state) is prepared
    assert rules.badge(state).tone == tone
    assert rules.can_name_alternate(state) is not final


@pytest.mark.parametrize("state", STATES)
def test_the_view_answers_what_the_rules_decide(state):
    final, collectable, arrival, on_my_way, alternate, prepared, tone = MEANING[state]
    view = PickupView(id=1, order_id=2, merchant_id=3, state=state, code="ABCD2345", store_code="shibuya",
                      picked_up_at=NOW)
    assert view.is_final is final and view.is_live is not final
    assert view.is_collectable is collectable and view.can_hand_over is collectable
    assert view.shows_code is collectable
    assert view.shows_arrival_prompt is arrival and view.shows_on_my_way_prompt is on_my_way
    assert view.shows_alternate_prompt is alternate and view.is_being_prepared is prepared
    assert view.badge == rules.badge(state) and view.headline == rules.headline(state)
    assert view.has_arrived is (state == "arrived") and view.is_picked_up is (state == "picked_up")
    assert view.is_expired is (state == "expired") and view.is_cancelled is (state == "cancelled")
    assert view.can_undo(NOW) is (state == "picked_up")


def test_a_pickup_not_started_yet_shows_no_code():
    view = PickupView.initial(order_id=2, merchant_id=3)
    assert view.state == rules.INITIAL and view.id is None
    assert not view.shows_code and not view.is_final and view.is_being_prepared


def test_final_states_can_only_be_left_by_a_correction():
    """Nothing the shopper or the system does leaves a final state; the merchant may make an
    expired hold ready again (or cancel it), staff may undo a hand-over within the window."""
    for (actor, target), allowed in rules.MOVES.items():
        reopened = (allowed & rules.FINAL) - {target}
        if actor in ("shopper", "system", "staff"):
            assert not reopened, (actor, target)
        else:
            assert reopened <= {"expired"}, (actor, target)


def test_waiting_minutes_only_once_arrived():
    here = PickupView(id=1, order_id=2, merchant_id=3, state="arrived", code="ABCD2345", store_code="s",
                      arrived_at=NOW - dt.timedelta(minutes=7, seconds=30))
    assert here.waiting_minutes(NOW) == 7
    assert PickupView(id=1, order_id=2, merchant_id=3, state="ready", code="ABCD2345", store_code="s",
                      arrived_at=NOW).waiting_minutes(NOW) is None


@pytest.mark.parametrize("actor,current,target,code", [
    ("staff", "picked_up", "picked_up", "pickup.already_picked_up"),
    ("merchant", "picked_up", "ready", "pickup.already_picked_up"),
    ("merchant", "cancelled", "ready", "pickup.illegal_move"),
    ("shopper", "placed", "arrived", "pickup.illegal_move"),
    ("shopper", "ready", "picked_up", "pickup.not_allowed"),
])
def test_illegal_moves_are_coded_conflicts(actor, current, target, code):
    with pytest.raises(Conflict) as err:
        rules.check_move(actor, current, target)
    assert err.value.code == code and code in MESSAGES


def test_vocabularies_cover_every_state_and_are_translated():
    ja = i18n.translations("ja")
    assert set(rules.HEADLINES) == set(STATES) and set(rules.BADGES) == set(STATES)
    assert set(STATES) - {"placed"} <= set(rules.EVENT_KINDS)
    msgids = [*rules.HEADLINES.values(), *(b.label for b in rules.BADGES.values()), *rules.EVENT_KINDS.values(),
              *rules.ACTORS.values()]
    for msgid in msgids:
        assert ja.ugettext(msgid) != msgid, msgid


def test_event_actors():
    clerk = rules.Clerk(merchant_id=1, store_code="shibuya", email="clerk@example.jp")
    assert clerk.actor == "staff:clerk@example.jp"
    assert rules.staff_email(clerk.actor) == "clerk@example.jp"
    assert rules.staff_email("shopper") is None and rules.actor_label("shopper") == "customer"
    assert rules.event_label("undo") == "Hand-over undone" and rules.event_label("something new") is None


ERROR_CODE = re.compile(r'(?:Conflict|NotFound|IllegalMove)\(\s*"(pickup\.\w+)"|_field_error\(\s*"\w+",\s*"(pickup\.\w+)"')


def test_every_code_the_area_raises_has_a_message():
    source = "".join((ROOT / "orderhub/db/pickup" / name).read_text() for name in ("rules.py", "services.py"))
    raised = {a or b for a, b in ERROR_CODE.findall(source)}
    assert len(raised) >= 15
    assert raised <= set(MESSAGES), raised - set(MESSAGES)
    assert set(STAFF) <= set(MESSAGES)
    ja = i18n.translations("ja")
    for msgid in {*MESSAGES.values(), *STAFF.values()}:
        assert ja.ugettext(msgid) != msgid, msgid
