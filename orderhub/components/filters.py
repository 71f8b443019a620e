"""Pure Jinja filters: money, dates and times for the page's locale, small text helpers."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_percent

from orderhub import money as _money
from orderhub.components.i18n import BABEL_LOCALES, current_language


def _locale() -> str:
    return BABEL_LOCALES[current_language()]


@functools.cache
def _babel_locale(tag: str) -> Locale:
    """Babel's locale data for a tag, parsed once (Babel parses a locale string on every call)."""
    return Locale.parse(tag)


def _dates_locale() -> Locale:
    return _babel_locale(_locale())


def money(minor: int, currency: str) -> str:
    return _money.format(minor, currency, _locale())


def date(value: dt.date | dt.datetime | None, fmt: str = "long", tz: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # its day where it is read (in `tz`, else its own zone)
        value = (value.astimezone(ZoneInfo(tz)) if tz else value).date()
    if current_language() == "en" and fmt == "long":
        fmt = "medium"  # Nov 12, 2026
    if fmt == "weekday":
        fmt = "EEEE, MMMM d" if current_language() == "en" else "M月d日(E)"
    return day_text(value, fmt)


def day_text(day: dt.date, pattern: str) -> str:
    """A day in a Babel pattern (or "long", "medium"...) for the page's language."""
    return _formatted(day, pattern, _locale())


def datetime(value: dt.datetime | None, tz: str, fmt: str = "medium") -> str:
    if value is None:
        return ""
    wall = value.astimezone(ZoneInfo(tz)).replace(tzinfo=None)  # the patterns show no zone
    return _formatted(wall, "y年M月d日 H:mm" if current_language() == "ja" else "MMM d, y, h:mm a", _locale())


@functools.lru_cache(maxsize=4096)
def _formatted(value: dt.date, pattern: str, tag: str) -> str:
    """Babel's words for a day (a `date`) or a wall-clock moment (a naive `datetime`) in `pattern`
    for the locale `tag`: kept per value, pattern and locale, as `money.format` keeps amounts (the
    language is part of the key, so one language's words never answer another's; Babel takes some
    10 µs a date, and an order page shows five)."""
    if isinstance(value, dt.datetime):
        return format_datetime(value, pattern, locale=_babel_locale(tag))
    return format_date(value, pattern, locale=_babel_locale(tag))


def time(value: dt.datetime | dt.time | None, tz: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and tz:
        value = value.astimezone(ZoneInfo(tz))
    return format_time(value, "H:mm" if current_language() == "ja" else "h:mm a", locale=_dates_locale())


def percent(rate: Decimal | float) -> str:
    return _percent(rate, _locale())


@functools.lru_cache(maxsize=256)
def _percent(rate: Decimal | float, locale: str) -> str:
    return format_percent(rate, locale=locale, decimal_quantization=False)


FILTERS = {"money": money, "date": date, "datetime": datetime, "time": time, "percent": percent}
