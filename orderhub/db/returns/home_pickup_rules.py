"""Home pickup of a return (issue 20 item 3): pure decisions, no I/O.

The merchant configures, in the return policy (`policy["home_pickup"]`), the carrier that collects,
its time slots, the weekdays it collects, how many days ahead a shopper may book (min / max) and the
cut-off (a time of day, N days before the pickup day). Everything is in the merchant's time zone.
From that and `now` these rules say which dates and slots are bookable, when a booking's cut-off is,
and whether a booking may still be changed (rescheduled or cancelled; always free before the
cut-off: the method's fee is charged once, in the refund breakdown).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from orderhub.db import validation as v
from orderhub.db.shipping import rules as shipping_rules

# --- error codes (site/messages/home_pickup.py words them) -------------------------------------------

NOT_BOOKABLE = "home_pickup.not_bookable"
ALREADY_BOOKED = "home_pickup.already_booked"
NO_BOOKING = "home_pickup.no_booking"
PAST_CUTOFF = "home_pickup.past_cutoff"
DATE = "home_pickup.date"
SLOT = "home_pickup.slot"
PLAIN_TEXT = "home_pickup.plain_text"
SAME_SLOT = "home_pickup.same_slot"
CONFIG = "home_pickup.config"

INPUT_MESSAGES = {
    DATE: "is not a date we collect on",
    SLOT: "is not one of the carrier's time slots",
    PLAIN_TEXT: "must be plain text (no < or >)",
    SAME_SLOT: "is the pickup already booked",
    CONFIG: "is not a valid home pickup setting",
}


#: one of this area's field errors, with the params its page sentence needs (the dates of a range)
field_error = v.field_errors_of(INPUT_MESSAGES)


# --- states of a booking ----------------------------------------------------------------------------

ACTIVE, REPLACED, CANCELLED = "active", "replaced", "cancelled"
STATES = (ACTIVE, REPLACED, CANCELLED)
#: the webhook events (appended to the outbox's and the emails' lists)
BOOKED_EVENT, RESCHEDULED_EVENT, CANCELLED_EVENT = (
    "return.pickup_booked", "return.pickup_rescheduled", "return.pickup_cancelled")
EVENTS = (BOOKED_EVENT, RESCHEDULED_EVENT, CANCELLED_EVENT)
#: where the parcel is collected: the order's delivery address, or one the shopper typed
ORDER_ADDRESS, OTHER_ADDRESS = "order", "other"
ADDRESS_CHOICES = (ORDER_ADDRESS, OTHER_ADDRESS)
NOTES_MAX = 200
#: the return's status in which a pickup is booked, moved or cancelled
BOOKABLE_STATUS = "approved"

# --- the merchant's configuration -------------------------------------------------------------------

SLOT_CODE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
#: the carriers that may collect (shipping's list: their names and tracking pages)
CARRIERS = tuple(shipping_rules.CARRIERS)

#: Yamato's pickup slots (午前中, 14–16, 16–18, 18–20, 19–21), Monday to Saturday, from tomorrow up to
#: a week ahead, booked by 17:00 the day before
DEFAULT_CONFIG: dict[str, Any] = {
    "carrier": "yamato",
    "slots": ["08:00-12:00", "14:00-16:00", "16:00-18:00", "18:00-20:00", "19:00-21:00"],
    "weekdays": [0, 1, 2, 3, 4, 5],
    "min_days": 1,
    "max_days": 7,
    "cutoff": "17:00",
    "cutoff_days_before": 1,
}


@dataclass(frozen=True)
class Slot:
    """A time slot of the day, `HH:MM-HH:MM` in the merchant's time zone (24:00 ends at midnight)."""

    code: str

    @property
    def start(self) -> dt.time:
        m = SLOT_CODE.match(self.code)
        assert m
        return dt.time(int(m[1]), int(m[2]))

    @property
    def end_minutes(self) -> int:
        m = SLOT_CODE.match(self.code)
        assert m
        return int(m[3]) * 60 + int(m[4])


@dataclass(frozen=True)
class Config:
    carrier: str
    slots: tuple[Slot, ...]
    weekdays: frozenset[int]
    min_days: int
    max_days: int
    cutoff: dt.time
    cutoff_days_before: int

    def slot(self, code: str) -> Slot | None:
        return next((s for s in self.slots if s.code == code), None)


def _slot_ok(code: Any) -> bool:
    if not isinstance(code, str):
        return False
    m = SLOT_CODE.match(code)
    if m is None:
        return False
    return (int(m[1]) * 60 + int(m[2])) < (int(m[3]) * 60 + int(m[4])) <= 24 * 60


def read_config(r: v.Reader, data: Any, path: str = "policy.home_pickup") -> dict[str, Any]:
    """The merchant's home pickup settings from the API or the admin form (defaults for what is left
    out); errors are recorded on `r` at their paths."""
    given = r.obj(data if data is not None else {}, path) or {}
    merged = {**DEFAULT_CONFIG, **given}
    out: dict[str, Any] = {"carrier": r.choice(merged, "carrier", f"{path}.carrier", CARRIERS, default="yamato")}
    slots = r.items(merged.get("slots"), f"{path}.slots", min_items=1, max_items=12)
    out["slots"] = []
    for i, code in enumerate(slots):
        if not _slot_ok(code):
            r.error(f"{path}.slots[{i}]", CONFIG, "must be a time range like 14:00-16:00")
        elif code not in out["slots"]:
            out["slots"].append(code)
    out["slots"].sort()
    days = r.items(merged.get("weekdays"), f"{path}.weekdays", min_items=1, max_items=7)
    out["weekdays"] = sorted({d for d in days if isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6})
    if len(out["weekdays"]) != len(set(map(str, days))):
        r.error(f"{path}.weekdays", CONFIG, "must be weekday numbers, 0 (Monday) to 6 (Sunday)")
    out["min_days"] = r.integer(merged, "min_days", f"{path}.min_days", minimum=0, maximum=30)
    out["max_days"] = r.integer(merged, "max_days", f"{path}.max_days", minimum=1, maximum=60)
    if out["max_days"] < out["min_days"]:
        r.error(f"{path}.max_days", CONFIG, "must not be less than min_days")
    cutoff = merged.get("cutoff")
    if not isinstance(cutoff, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", cutoff):
        r.error(f"{path}.cutoff", CONFIG, "must be a time of day like 17:00")
        cutoff = DEFAULT_CONFIG["cutoff"]
    out["cutoff"] = cutoff
    out["cutoff_days_before"] = r.integer(merged, "cutoff_days_before", f"{path}.cutoff_days_before",
                                          minimum=0, maximum=7)
    return out


def config_of(policy: Mapping[str, Any] | None) -> Config:
    """The configuration a merchant's stored policy gives (the defaults where it says nothing)."""
    raw = {**DEFAULT_CONFIG, **dict((policy or {}).get("home_pickup") or {})}
    hours, minutes = (int(x) for x in str(raw["cutoff"]).split(":"))
    return Config(carrier=str(raw["carrier"]), slots=tuple(Slot(c) for c in raw["slots"] if _slot_ok(c)),
                  weekdays=frozenset(int(d) for d in raw["weekdays"]), min_days=int(raw["min_days"]),
                  max_days=int(raw["max_days"]), cutoff=dt.time(hours, minutes),
                  cutoff_days_before=int(raw["cutoff_days_before"]))


# --- time -------------------------------------------------------------------------------------------

def local_today(now: dt.datetime, tz: str) -> dt.date:
    return now.astimezone(ZoneInfo(tz)).date()


def cutoff_at(config: Config, day: dt.date, tz: str) -> dt.datetime:
    """The last moment a pickup on `day` may be booked, moved or cancelled (aware, UTC)."""
    local = dt.datetime.combine(day - dt.timedelta(days=config.cutoff_days_before), config.cutoff, tzinfo=ZoneInfo(tz))
    return local.astimezone(dt.UTC)


def window(day: dt.date, slot: Slot, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """The slot on `day` as aware moments (UTC): what emails and pages word in the merchant's zone."""
    zone = ZoneInfo(tz)
    start = dt.datetime.combine(day, slot.start, tzinfo=zone)
    end = dt.datetime.combine(day, dt.time(0), tzinfo=zone) + dt.timedelta(minutes=slot.end_minutes)
    if slot.end_minutes >= 24 * 60:  # "…-24:00": midnight in the zone, whatever the offset that night
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def bookable_dates(config: Config, now: dt.datetime, tz: str) -> list[dt.date]:
    """The days a pickup may be booked on at `now`: a collecting weekday, between `min_days` and
    `max_days` after today (in the merchant's zone), and whose cut-off has not passed."""
    today = local_today(now, tz)
    out = []
    for n in range(config.min_days, config.max_days + 1):
        day = today + dt.timedelta(days=n)
        if day.weekday() in config.weekdays and cutoff_at(config, day, tz) > now:
            out.append(day)
    return out


def check_choice(config: Config, day: dt.date | None, slot_code: str, now: dt.datetime, tz: str) -> list[dict[str, Any]]:
    """Errors of a chosen date and slot (field paths `date`, `slot`); [] when bookable at `now`."""
    errors = []
    if day is None or day not in bookable_dates(config, now, tz):
        errors.append(field_error("date", DATE))
    if config.slot(slot_code) is None:
        errors.append(field_error("slot", SLOT))
    return errors


def change_refusal(*, return_status: str, booking_status: str | None, day: dt.date | None, config: Config,
                   now: dt.datetime, tz: str) -> str | None:
    """Why a booking may not be rescheduled or cancelled at `now` (a code), or None. Before the
    cut-off a change is always allowed and free (`change_is_free`)."""
    if return_status != BOOKABLE_STATUS:
        return NOT_BOOKABLE
    if booking_status != ACTIVE or day is None:
        return NO_BOOKING
    if now >= cutoff_at(config, day, tz):
        return PAST_CUTOFF
    return None


def change_is_free(*, day: dt.date, config: Config, now: dt.datetime, tz: str) -> bool:
    """A reschedule or cancel before the cut-off costs nothing (the return's fee is charged once)."""
    return now < cutoff_at(config, day, tz)


def booking_refusal(*, return_status: str, method: str, keep_item: bool, has_active: bool) -> str | None:
    """Why a (first) pickup may not be booked for this return, or None."""
    if method != "home_pickup" or keep_item or return_status != BOOKABLE_STATUS:
        return NOT_BOOKABLE
    if has_active:
        return ALREADY_BOOKED
    return None


def read_notes(r: v.Reader, form: Mapping[str, Any]) -> str:
    value = r.text(dict(form), "notes", "notes", required=False, max_len=NOTES_MAX)
    if "<" in value or ">" in value:
        r.errors.append(field_error("notes", PLAIN_TEXT))
        return ""
    return value


def read_date(r: v.Reader, form: Mapping[str, Any]) -> dt.date | None:
    raw = form.get("date")
    day = r.date({"date": raw.strip() if isinstance(raw, str) else raw}, "date", "date", required=True)
    return day
