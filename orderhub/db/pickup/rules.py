"""Pickup state machine and other pure decisions (no I/O, no clock).

placed -> preparing -> ready -> on_the_way -> arrived -> picked_up; ready -> expired when the
deadline passes; cancelled from any state before picked up. Who may make each move:

- merchant (API / POS): preparing, ready (also re-sent to move the deadline), cancelled
- shopper (hub page):   on_the_way (with an ETA), arrived (bay + car for curbside)
- staff (console):      picked_up, and undo of a hand-over within UNDO_WINDOW
- system (job):         expired
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

STATES = ("placed", "preparing", "ready", "on_the_way", "arrived", "picked_up", "expired", "cancelled")
FINAL = frozenset({"picked_up", "cancelled"})
#: states a shopper can be collected in (staff may hand over)
COLLECTABLE = ("ready", "on_the_way", "arrived")
UNDO_WINDOW = dt.timedelta(minutes=5)
REMINDER_BEFORE = dt.timedelta(hours=24)

#: (actor, target) -> states the move is allowed from
MOVES: dict[tuple[str, str], frozenset[str]] = {
    ("merchant", "preparing"): frozenset({"placed", "preparing"}),
    ("merchant", "ready"): frozenset({"placed", "preparing", "ready", "expired"}),
    ("merchant", "cancelled"): frozenset({"placed", "preparing", "ready", "on_the_way", "arrived", "expired",
                                          "cancelled"}),
    ("shopper", "on_the_way"): frozenset({"ready", "on_the_way"}),
    ("shopper", "arrived"): frozenset({"ready", "on_the_way", "arrived"}),
    ("staff", "picked_up"): frozenset(COLLECTABLE),
    ("system", "expired"): frozenset({"ready"}),
}

#: Order.fulfillment_status kept in step with the pickup state (None: leave it as it is)
FULFILLMENT_STATUS = {
    "placed": "unfulfilled", "preparing": "unfulfilled", "ready": "ready_for_pickup",
    "on_the_way": "ready_for_pickup", "arrived": "ready_for_pickup", "picked_up": "picked_up",
    "expired": "unfulfilled", "cancelled": "cancelled",
}

#: pickup codes: no 0/O, 1/I/L; 8 of 31 symbols = 39 bits (8.5e11 codes), typed as "ABCD-EFGH"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class IllegalMove(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_move(actor: str, current: str, target: str) -> None:
    """Raise IllegalMove (answered 409) with a plain message when `actor` cannot move `current` -> `target`."""
    allowed = MOVES.get((actor, target))
    if allowed is None:
        raise IllegalMove(f"{actor} cannot set the pickup to {target}")
    if current not in allowed:
        if current == "picked_up":
            raise IllegalMove("already picked up")
        raise IllegalMove(f"cannot move a pickup from {current} to {target}")


def is_repeat(current: str, target: str) -> bool:
    return current == target


def can_undo(state: str, picked_up_at: dt.datetime | None, now: dt.datetime) -> bool:
    return state == "picked_up" and picked_up_at is not None and now - picked_up_at <= UNDO_WINDOW


def is_overdue(state: str, deadline: dt.datetime | None, now: dt.datetime) -> bool:
    return state == "ready" and deadline is not None and now >= deadline


def needs_reminder(state: str, deadline: dt.datetime | None, reminded_at: dt.datetime | None,
                   now: dt.datetime, before: dt.timedelta = REMINDER_BEFORE) -> bool:
    return (state in ("ready", "on_the_way") and deadline is not None and reminded_at is None
            and deadline - before <= now < deadline)


def default_deadline(ready_at: dt.datetime, hold_days: int, tz: str) -> dt.datetime:
    """End of the store's day `hold_days` after ready."""
    zone = ZoneInfo(tz)
    local = ready_at.astimezone(zone).date() + dt.timedelta(days=max(1, hold_days))
    return dt.datetime.combine(local, dt.time(23, 59), tzinfo=zone).astimezone(dt.timezone.utc)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str | None:
    """What staff typed or scanned -> the canonical code, or None when it cannot be one."""
    text = (typed or "").strip().upper()[:64]
    if text.startswith("OHP:"):  # QR payload
        text = text[4:]
    text = text.replace("-", "").replace(" ", "")
    if len(text) != CODE_LENGTH or any(c not in ALPHABET for c in text):
        return None
    return text


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def qr_payload(code: str) -> str:
    return f"OHP:{code}"


# --- store hours -------------------------------------------------------------------------------

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _days_of(spec: str) -> list[int]:
    out: list[int] = []
    for part in str(spec).lower().split(","):
        part = part.strip()
        if "-" in part:
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


def week_hours(hours: list, tz: str, now: dt.datetime) -> list[DayHours]:
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


def open_now(day: DayHours, now: dt.datetime, tz: str) -> bool:
    if day.closed:
        return False
    local = now.astimezone(ZoneInfo(tz)).strftime("%H:%M")
    return day.open <= local < day.close  # type: ignore[operator]
