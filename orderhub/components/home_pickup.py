"""A home pickup's slot in words, in the current language and the merchant's time zone: the same
words on the return page, the hub's returns list, the admin and every email.

「12月8日（火）14〜16時」 / "Tue 8 Dec, 2–4 pm" (Babel gives the month and weekday names)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from orderhub.components.filters import day_text
from orderhub.components.i18n import current_language


def _ja_time(t: dt.time, *, hour_mark: bool) -> str:
    if t.minute:
        return f"{t.hour}時{t.minute}分"
    return f"{t.hour}時" if hour_mark else str(t.hour)


def _en_time(t: dt.time, *, meridiem: bool) -> str:
    hour = t.hour % 12 or 12
    text = f"{hour}:{t.minute:02d}" if t.minute else str(hour)
    return f"{text} {'am' if t.hour < 12 else 'pm'}" if meridiem else text


def _local(moment: dt.datetime, tz: str) -> dt.datetime:
    return moment.astimezone(ZoneInfo(tz))


def slot_day(start: dt.datetime, tz: str) -> str:
    """「12月8日（火）」 / "Tue 8 Dec"."""
    return day_words(_local(start, tz).date())


def slot_hours(start: dt.datetime, end: dt.datetime, tz: str) -> str:
    """「14〜16時」 / "2–4 pm" ("11 am–1 pm" across noon; midnight as 24時 / 12 am)."""
    a, b = _local(start, tz), _local(end, tz)
    t1 = a.time()
    t2 = b.time() if b.date() == a.date() else dt.time(0)
    if current_language() == "ja":
        end_hour = 24 if b.date() != a.date() else t2.hour
        end_text = f"{end_hour}時{t2.minute}分" if t2.minute else f"{end_hour}時"
        return f"{_ja_time(t1, hour_mark=bool(t1.minute))}〜{end_text}"
    same_half = (t1.hour < 12) == (t2.hour < 12) and b.date() == a.date()
    return f"{_en_time(t1, meridiem=not same_half)}–{_en_time(t2, meridiem=True)}"


def slot_words(start: dt.datetime, end: dt.datetime, tz: str) -> str:
    """「12月8日（火）14〜16時」 / "Tue 8 Dec, 2–4 pm"."""
    sep = "" if current_language() == "ja" else ", "
    return f"{slot_day(start, tz)}{sep}{slot_hours(start, end, tz)}"


def day_words(day: dt.date) -> str:
    """A date choice: 「12月8日（火）」 / "Tue 8 Dec"."""
    return day_text(day, "M月d日（E）" if current_language() == "ja" else "EEE d MMM")
