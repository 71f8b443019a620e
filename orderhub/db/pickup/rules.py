"""Pickup state machine and other pure decisions (no I/O, no clock).

placed -> preparing -> ready -> on_the_way -> arrived -> picked_up; ready -> expired when the
deadline passes; cancelled from any state before picked up. Who may make each move:

- merchant (API / POS): preparing, ready (also re-sent to move the deadline), cancelled
- shopper (hub page):   on_the_way (with an ETA), arrived (bay + car for curbside)
- staff (console):      picked_up, and undo of a hand-over within UNDO_WINDOW
- system (job):         expired

This module is the one home of every pickup decision: which states are final, which prompts the
shopper's page shows, when staff may hand over or undo, and the vocabularies pages show for a
state (headline, badge and tone, timeline labels) as English msgids, translated when rendered.
Pages ask the views of `queries.py` (`pickup.is_final`, `pickup.shows_arrival_prompt`, ...).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from orderhub.db.errors import Conflict

PLACED, PREPARING, READY, ON_THE_WAY, ARRIVED = "placed", "preparing", "ready", "on_the_way", "arrived"
PICKED_UP, EXPIRED, CANCELLED = "picked_up", "expired", "cancelled"
STATES = (PLACED, PREPARING, READY, ON_THE_WAY, ARRIVED, PICKED_UP, EXPIRED, CANCELLED)
#: the state of a pickup order before its pickup row exists
INITIAL = PLACED
#: the shopper's part is over: the page stops listening and offers nothing more. (A merchant may
#: still make an expired hold ready again, and staff may undo a hand-over within UNDO_WINDOW.)
FINAL = frozenset({PICKED_UP, CANCELLED, EXPIRED})
#: states a shopper can be collected in (staff may hand over, the shopper sees the code)
COLLECTABLE = (READY, ON_THE_WAY, ARRIVED)
#: not ready yet: the shopper should not come to the store
BEING_PREPARED = frozenset({PLACED, PREPARING})
#: the "I'm on my way" prompt is offered while the order waits; once on the way it is not repeated
ON_MY_WAY_PROMPT = frozenset({READY})
#: states in which the hold's deadline runs (a reminder is due before it)
DEADLINE_RUNS = (READY, ON_THE_WAY)
#: merchant moves the merchant's own systems hear about (webhook / email)
MERCHANT_NOTIFIES = frozenset({READY, CANCELLED})
UNDO_WINDOW = dt.timedelta(minutes=5)
UNDO_MINUTES = int(UNDO_WINDOW.total_seconds() // 60)
REMINDER_BEFORE = dt.timedelta(hours=24)

#: (actor, target) -> states the move is allowed from
MOVES: dict[tuple[str, str], frozenset[str]] = {
    ("merchant", PREPARING): frozenset({PLACED, PREPARING}),
    ("merchant", READY): frozenset({PLACED, PREPARING, READY, EXPIRED}),
    ("merchant", CANCELLED): frozenset({PLACED, PREPARING, READY, ON_THE_WAY, ARRIVED, EXPIRED, CANCELLED}),
    ("shopper", ON_THE_WAY): frozenset({READY, ON_THE_WAY}),
    ("shopper", ARRIVED): frozenset({READY, ON_THE_WAY, ARRIVED}),
    ("staff", PICKED_UP): frozenset(COLLECTABLE),
    ("system", EXPIRED): frozenset({READY}),
}
#: what the integration API may set
MERCHANT_TARGETS = tuple(target for actor, target in MOVES if actor == "merchant")

#: Order.fulfillment_status kept in step with the pickup state (None: leave it as it is)
FULFILLMENT_STATUS = {
    PLACED: "unfulfilled", PREPARING: "unfulfilled", READY: "ready_for_pickup",
    ON_THE_WAY: "ready_for_pickup", ARRIVED: "ready_for_pickup", PICKED_UP: "picked_up",
    EXPIRED: "unfulfilled", CANCELLED: "cancelled",
}

#: pickup codes: no 0/O, 1/I/L; 8 of 31 symbols = 39 bits (8.5e11 codes), typed as "ABCD-EFGH"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
#: what a pickup QR code carries before the code (the staff console's scanner looks for it)
QR_PREFIX = "OHP:"


class IllegalMove(Conflict):
    """A move the state machine refuses (answered 409): coded, with the English API message."""


def check_move(actor: str, current: str, target: str | None) -> None:
    """Raise IllegalMove when `actor` cannot move `current` -> `target`."""
    allowed = MOVES.get((actor, target)) if target is not None else None
    if allowed is None:
        raise IllegalMove("pickup.not_allowed", f"{actor} cannot set the pickup to {target}",
                          actor=actor, target=target)
    if current not in allowed:
        if current == PICKED_UP:
            raise IllegalMove("pickup.already_picked_up", "already picked up")
        raise IllegalMove("pickup.illegal_move", f"cannot move a pickup from {current} to {target}",
                          current=current, target=target)


def is_pickup_order(fulfillment_type: str) -> bool:
    """An order the shopper collects in a store (Order.fulfillment_type)."""
    return fulfillment_type == "pickup"


def is_repeat(current: str, target: str) -> bool:
    return current == target


# --- what a state means to the people looking at it ------------------------------------------------

def is_final(state: str) -> bool:
    return state in FINAL


def is_collectable(state: str) -> bool:
    """Staff may hand it over; the shopper sees the pickup code and the arrival prompts."""
    return state in COLLECTABLE


def is_being_prepared(state: str) -> bool:
    return state in BEING_PREPARED


def shows_arrival_prompt(state: str) -> bool:
    """The shopper is offered "I'm here" (or "Update my arrival")."""
    return state in MOVES[("shopper", ARRIVED)]


def shows_on_my_way_prompt(state: str) -> bool:
    return state in ON_MY_WAY_PROMPT


def shows_alternate_prompt(state: str) -> bool:
    """The page offers to name someone else while the order waits to be collected."""
    return state in COLLECTABLE


def is_waiting(state: str) -> bool:
    """The shopper is at the store (staff see how long they have waited)."""
    return state == ARRIVED


def can_name_alternate(state: str) -> bool:
    """Someone else may be named to pick up while the pickup is open."""
    return not is_final(state)


def cancels_order(state: str) -> bool:
    return state == CANCELLED


def takes_ready_times(status: str | None) -> bool:
    """`ready_at` / `pickup_deadline` only go with status ready."""
    return status == READY


def keeps_deadline(current: str, deadline: dt.datetime | None, ready_at_given: bool) -> bool:
    """A repeated "ready" without new times keeps the deadline already set."""
    return deadline is not None and current == READY and not ready_at_given


def resets_reminder(current: str, old_deadline: dt.datetime | None, new_deadline: dt.datetime) -> bool:
    """Made ready again, or the deadline moved: the reminder is due again."""
    return current == EXPIRED or (current == READY and new_deadline != old_deadline)


def is_first_arrival(current: str, target: str) -> bool:
    """The shopper just arrived (correcting the bay or car keeps the waiting time and notifies nothing)."""
    return target == ARRIVED and current != ARRIVED


def can_undo(state: str, picked_up_at: dt.datetime | None, now: dt.datetime) -> bool:
    return state == PICKED_UP and picked_up_at is not None and now - picked_up_at <= UNDO_WINDOW


def undo_target(previous_state: str | None) -> str:
    """Where an undone hand-over goes back to."""
    return previous_state or READY


def is_overdue(state: str, deadline: dt.datetime | None, now: dt.datetime) -> bool:
    return state in MOVES[("system", EXPIRED)] and deadline is not None and now >= deadline


def needs_reminder(state: str, deadline: dt.datetime | None, reminded_at: dt.datetime | None,
                   now: dt.datetime, before: dt.timedelta = REMINDER_BEFORE) -> bool:
    return (state in DEADLINE_RUNS and deadline is not None and reminded_at is None
            and deadline - before <= now < deadline)


def default_deadline(ready_at: dt.datetime, hold_days: int, tz: str) -> dt.datetime:
    """End of the store's day `hold_days` after ready."""
    zone = ZoneInfo(tz)
    local = ready_at.astimezone(zone).date() + dt.timedelta(days=max(1, hold_days))
    return dt.datetime.combine(local, dt.time(23, 59), tzinfo=zone).astimezone(dt.UTC)


# --- vocabularies (state -> English msgid, translated by the page when it renders) -----------------

#: the shopper's headline per state
HEADLINES: dict[str, str] = {
    PLACED: "We've received your order",
    PREPARING: "We're getting your order ready",
    READY: "Your order is ready for pickup",
    ON_THE_WAY: "We know you're on your way",
    ARRIVED: "We know you're here — someone is coming",
    PICKED_UP: "Picked up — enjoy!",
    EXPIRED: "Your pickup hold has ended",
    CANCELLED: "This pickup was cancelled",
}


@dataclass(frozen=True)
class Badge:
    tone: str  # good | warn | info | bad | muted (badge--<tone>)
    label: str  # English msgid


#: the staff console's badge per state
BADGES: dict[str, Badge] = {
    PLACED: Badge("muted", "Not ready yet"),
    PREPARING: Badge("muted", "Not ready yet"),
    READY: Badge("info", "Ready for pickup"),
    ON_THE_WAY: Badge("info", "On the way"),
    ARRIVED: Badge("warn", "Here now"),
    PICKED_UP: Badge("good", "Picked up"),
    EXPIRED: Badge("bad", "Hold ended"),
    CANCELLED: Badge("bad", "Cancelled"),
}

#: the staff timeline: event kinds (the states plus what else is recorded)
EVENT_KINDS: dict[str, str] = {
    PREPARING: "Preparing",
    READY: "Ready for pickup",
    ON_THE_WAY: "On the way",
    ARRIVED: "Arrived",
    "alternate": "Alternate person named",
    PICKED_UP: "Picked up",
    "undo": "Hand-over undone",
    "reminder": "Reminder sent",
    EXPIRED: "Hold ended",
    CANCELLED: "Cancelled",
}

#: who recorded an event; a staff member is "staff:<email>" and shown by e-mail
ACTORS: dict[str, str] = {"merchant": "store system", "shopper": "customer", "system": "automatic"}
STAFF_ACTOR = "staff:"


def headline(state: str) -> str:
    return HEADLINES.get(state, HEADLINES[CANCELLED])


def badge(state: str) -> Badge:
    return BADGES.get(state, BADGES[PLACED])


def event_label(kind: str) -> str | None:
    return EVENT_KINDS.get(kind)


def staff_actor(email: str) -> str:
    return STAFF_ACTOR + email


def staff_email(actor: str) -> str | None:
    """The e-mail of a staff actor, None for the other actors."""
    return actor[len(STAFF_ACTOR):] if actor.startswith(STAFF_ACTOR) else None


def handed_over_by(picked_up_by: str, store_name: str, *, staff: bool) -> str:
    """Who handed the order over, as each side is told: staff see the clerk as signed in (their
    e-mail); the shopper sees the store (a clerk's e-mail is not the shopper's to see)."""
    return (picked_up_by or store_name) if staff else (store_name or picked_up_by)


def actor_label(actor: str) -> str | None:
    return ACTORS.get(actor)


@dataclass(frozen=True)
class Clerk:
    """A staff member acting at one store of one merchant."""

    merchant_id: int
    store_code: str
    email: str

    @property
    def actor(self) -> str:
        return staff_actor(self.email)


# --- codes -------------------------------------------------------------------------------------

def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str | None:
    """What staff typed or scanned -> the canonical code, or None when it cannot be one."""
    text = (typed or "").strip().upper()[:64]
    if text.startswith(QR_PREFIX):  # QR payload
        text = text[len(QR_PREFIX):]
    text = text.replace("-", "").replace(" ", "")
    if len(text) != CODE_LENGTH or any(c not in ALPHABET for c in text):
        return None
    return text


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def qr_payload(code: str) -> str:
    return QR_PREFIX + code


# --- store hours -------------------------------------------------------------------------------

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _days_of(spec: str) -> list[int]:
    out: list[int] = []
    for part in str(spec).lower().split(","):
        part = part.strip()
        if part == "daily":  # merchants.rules.DAY_GROUPS: every day
            out.extend(range(7))
        elif "-" in part:
            a, _, b = part.partition("-")
            if a in DAYS and b in DAYS:
                i, j = DAYS.index(a), DAYS.index(b)
                out.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part in DAYS:
            out.append(DAYS.index(part))
    return out


@dataclass(frozen=True)
class DayHours:
    weekday: int  # 0 = Monday
    date: dt.date
    open: str | None
    close: str | None
    today: bool

    @property
    def closed(self) -> bool:
        return self.open is None


def week_hours(hours: list[Any], tz: str, now: dt.datetime) -> list[DayHours]:
    """Seven days starting today in the store's time zone; a day missing from `hours` is closed."""
    today = now.astimezone(ZoneInfo(tz)).date()
    table: dict[int, tuple[str, str]] = {}
    for entry in hours or []:
        if not isinstance(entry, dict):
            continue
        for d in _days_of(entry.get("days", "")):
            table[d] = (str(entry.get("open", "")), str(entry.get("close", "")))
    out = []
    for i in range(7):
        day = today + dt.timedelta(days=i)
        o, c = table.get(day.weekday(), (None, None))
        out.append(DayHours(day.weekday(), day, o, c, i == 0))
    return out


def day_changes(day: DayHours, tz: str) -> list[dt.datetime]:
    """When `open_now` changes on `day`: its opening and closing times (none on a closed day)."""
    if day.closed:
        return []
    out: list[dt.datetime] = []
    for text in (day.open, day.close):
        try:
            at = dt.time.fromisoformat(str(text))
        except ValueError:
            continue
        out.append(dt.datetime.combine(day.date, at, tzinfo=ZoneInfo(tz)).astimezone(dt.UTC))
    return out


def open_now(day: DayHours, now: dt.datetime, tz: str) -> bool:
    if day.closed:
        return False
    local = now.astimezone(ZoneInfo(tz)).strftime("%H:%M")
    return day.open <= local < day.close  # type: ignore[operator]
