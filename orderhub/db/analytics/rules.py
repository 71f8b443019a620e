"""Pure decisions for the merchant dashboard: the date range (validated, in the merchant's time
zone), click-through rate, NPS, and daily buckets. No I/O; `today` is always a parameter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from orderhub.db.pickup import rules as pickup_rules
from orderhub.db.returns import rules as returns_rules

DEFAULT_DAYS = 30
MAX_DAYS = 366
#: hub page views recorded per section (kind "hub_view", section = the hub section's key)
VISIT = "hub_view"
IMPRESSION = "crosssell_impression"
CLICK = "crosssell_click"
KINDS = (VISIT, IMPRESSION, CLICK)
#: kinds kept as counts, not as a log: per merchant, section, product and hour, without the order
#: (the dashboard needs no more, and a campaign's thousands of page views a minute become a few rows)
COUNTED = (VISIT, IMPRESSION)
#: the order hub sections are listed in (others follow alphabetically)
SECTION_ORDER = ("confirmation", "tracking", "pickup", "returns", "feedback", "receipt")
#: "open" returns: the ones waiting for the merchant to approve or reject them (db/returns/rules)
RETURNS_AWAITING_DECISION = tuple(s for s, moves in returns_rules.TRANSITIONS.items() if "approve" in moves)
#: the pickup state in which the shopper is at the store, waiting to be served
PICKUP_ARRIVED = pickup_rules.ARRIVED


@dataclass(frozen=True)
class DateRange:
    """Both ends included, as local dates of the merchant."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def bounds(self, tz: str) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC: local midnight of the first day to local midnight after the last."""
        zone = ZoneInfo(tz)
        start = dt.datetime.combine(self.start, dt.time(0), tzinfo=zone)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def default_range(today: dt.date, days: int = DEFAULT_DAYS) -> DateRange:
    return DateRange(today - dt.timedelta(days=days - 1), today)


def _parse_date(raw: str | None) -> dt.date | None | str:
    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) != 10:
        return "format"
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return "format"


def parse_range(start_raw: str | None, end_raw: str | None, today: dt.date) -> tuple[DateRange, dict[str, str]]:
    """The range asked for (YYYY-MM-DD, both optional) and error codes per field.

    Codes: "format" (not a date), "order" (start after end), "future" (start after today),
    "too_long" (more than MAX_DAYS). On any error the default range comes back with the errors.
    A missing start means DEFAULT_DAYS before the end; a missing end means today.
    """
    errors: dict[str, str] = {}
    parsed_start, parsed_end = _parse_date(start_raw), _parse_date(end_raw)
    if isinstance(parsed_start, str):  # "format", the only code _parse_date answers
        errors["start"] = "format"
    if isinstance(parsed_end, str):
        errors["end"] = "format"
    if isinstance(parsed_start, str) or isinstance(parsed_end, str):
        return default_range(today), errors
    end = parsed_end or today
    start = parsed_start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        errors["end"] = "order"
    elif start > today:
        errors["start"] = "future"
    elif (end - start).days + 1 > MAX_DAYS:
        errors["start"] = "too_long"
    if errors:
        return default_range(today), errors
    return DateRange(start, end), errors


def ctr(clicks: int, impressions: int) -> Decimal | None:
    """Clicks per impression as a fraction with 4 decimals (0.0425 = 4.25 %); None without impressions."""
    if impressions <= 0:
        return None
    return (Decimal(clicks) / Decimal(impressions)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Nps:
    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> int | None:
        """(promoters - detractors) / answers x 100, rounded half away from zero; None without answers."""
        if not self.answers:
            return None
        value = Decimal(self.promoters - self.detractors) * 100 / Decimal(self.answers)
        return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def nps(scores: list[int]) -> Nps:
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return Nps(len(scores), promoters, len(scores) - promoters - detractors, detractors)


def local_date(at: dt.datetime, tz: str) -> dt.date:
    return at.astimezone(ZoneInfo(tz)).date()


def weeks(rng: DateRange) -> list[tuple[dt.date, dt.date]]:
    """The range cut into 7-day buckets from its start (the last one may be shorter)."""
    out = []
    day = rng.start
    while day <= rng.end:
        last = min(rng.end, day + dt.timedelta(days=6))
        out.append((day, last))
        day = last + dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class PickupFact:
    state: str
    picked_up_at: dt.datetime | None
    deadline: dt.datetime | None


@dataclass(frozen=True)
class PickupCounts:
    #: ready for collection (the shopper may be on the way or at the store)
    waiting: int
    #: at the store now
    arrived: int
    done_today: int
    #: still waiting, and today is the last day
    due_today: int


def pickup_counts(pickups: list[PickupFact], day_start: dt.datetime, day_end: dt.datetime) -> PickupCounts:
    """Today's pickup figures for the dashboard ([day_start, day_end) is today in the merchant's zone)."""
    waiting = [p for p in pickups if p.state in pickup_rules.COLLECTABLE]
    return PickupCounts(
        waiting=len(waiting),
        arrived=sum(1 for p in pickups if p.state == PICKUP_ARRIVED),
        done_today=sum(1 for p in pickups if p.picked_up_at and day_start <= p.picked_up_at < day_end),
        due_today=sum(1 for p in waiting if p.deadline and day_start <= p.deadline < day_end),
    )
