"""The delivery promise in words (rules.Promise from db/shipping/rules: the one decision), the same
sentence on the order page, the tracking section and in every email, in the current language."""

from __future__ import annotations

import datetime as dt

from orderhub.components.filters import datetime as fmt_datetime
from orderhub.components.filters import day_text
from orderhub.components.i18n import current_language
from orderhub.components.i18n import gettext as _
from orderhub.db.shipping.rules import DELIVERED_PROMISE, Promise


def short_date(day: dt.date) -> str:
    """"Fri 12/6" / "12月6日(金)": short enough for a phone, with the weekday shoppers plan by."""
    return day_text(day, "M月d日(E)" if current_language() == "ja" else "EEE M/d")


def promise_text(p: Promise | None, tz: str) -> str:
    """"Arriving today", "Arriving tomorrow, Fri 12/6", "Arriving by Fri 12/6", "Arriving Fri 12/6–Mon 12/9",
    "Late since Sat 12/7", "Delivered Dec 5, 2026, 2:05 PM"; "" without a promise."""
    if p is None or p.date_to is None:
        return ""
    if p.kind == DELIVERED_PROMISE:
        return _("Delivered %(when)s", when=fmt_datetime(p.delivered_at, tz)) if p.delivered_at else _("Delivered")
    if p.late and p.late_since is not None:
        return _("Late since %(date)s", date=short_date(p.late_since))
    if p.is_range and p.date_from is not None:
        if p.date_from == p.today:
            return _("Arriving between today and %(to)s", to=short_date(p.date_to))
        return _("Arriving %(from)s–%(to)s", **{"from": short_date(p.date_from), "to": short_date(p.date_to)})
    if p.date_to == p.today:
        return _("Arriving today")
    if p.date_to == p.today + dt.timedelta(days=1):
        return _("Arriving tomorrow, %(date)s", date=short_date(p.date_to))
    return _("Arriving by %(date)s", date=short_date(p.date_to))


def promise_note(p: Promise | None) -> str:
    """A calm second sentence when the parcel is late or may take longer than promised; else ""."""
    if p is None or p.kind == DELIVERED_PROMISE:
        return ""
    if p.late:
        return _("It hasn't arrived by the date we gave you. Most late parcels arrive within two business days.")
    if p.trending_late:
        return _("Parcels on this route have been taking a little longer lately, so it may arrive a day or two later.")
    return ""


def promise_source(p: Promise | None) -> str:
    """Whose date it is: the carrier's estimate or our own prediction."""
    if p is None or p.kind == DELIVERED_PROMISE:
        return ""
    return _("The carrier's estimate") if p.kind == "carrier" else _("Our estimate")
