"""The one place that reads the wall clock; everything else takes `now` as a parameter."""

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fixed_clock(at: dt.datetime) -> Clock:
    return lambda: at


class Validity:
    """How long what is being rendered stays right as the clock moves: the earliest moment at which
    any clock-dependent text in it changes (a deadline passing, the next local midnight for
    "today", a store opening). A kept page (orderhub.site.pagecache) expires then."""

    __slots__ = ("until",)

    def __init__(self, until: dt.datetime) -> None:
        self.until = until

    def changes_at(self, moment: dt.datetime) -> None:
        if moment < self.until:
            self.until = moment


_validity: contextvars.ContextVar[Validity | None] = contextvars.ContextVar("orderhub_validity", default=None)


@contextlib.contextmanager
def watching(validity: Validity) -> Iterator[Validity]:
    """Collect into `validity` the moments announced by `changes_at` while the block runs (child
    tasks share it: it is one mutable object)."""
    token = _validity.set(validity)
    try:
        yield validity
    finally:
        _validity.reset(token)


def changes_at(moment: dt.datetime | None, now: dt.datetime) -> None:
    """What is being rendered depends on the clock and reads differently from `moment` on (ignored
    when it is not after `now`, or when nothing is watching)."""
    validity = _validity.get()
    if validity is not None and moment is not None and moment > now:
        validity.changes_at(moment)


def next_local_midnight(now: dt.datetime, tz: str) -> dt.datetime:
    """The start of tomorrow in `tz`, as an aware UTC moment (when "today" and day counts change)."""
    zone = ZoneInfo(tz)
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
