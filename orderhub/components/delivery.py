"""A shopper's delivery preferences and changes in words, in the current language: the one wording the
change page, the order page and the change emails share. The values themselves (slots, safe places,
what counts as a change) are decided in orderhub.db.orders.change_rules; here they are only said.
Reads the language when called, never before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from orderhub.components.filters import date as fmt_date
from orderhub.components.i18n import current_language
from orderhub.components.i18n import gettext as _
from orderhub.db import addresses
from orderhub.db.orders import change_rules as rules


def window_label(code: str) -> str:
    return _(rules.WINDOWS.get(code, rules.WINDOWS["any"]))


def safe_place_label(code: str) -> str:
    return _(rules.SAFE_PLACES.get(code, rules.SAFE_PLACES["none"]))


def kind_label(kind: str) -> str:
    return _(rules.KIND_LABELS[kind]) if kind in rules.KIND_LABELS else _("Delivery details")


def window_words(value: Mapping[str, Any]) -> str:
    """"Morning (8–12)" or "Fri, Dec 11 · 14:00–16:00"."""
    label = window_label(str(value.get("window") or "any"))
    raw = value.get("date")
    if not raw:
        return label
    try:
        day = dt.date.fromisoformat(str(raw))
    except ValueError:
        return label
    return f"{fmt_date(day, 'weekday')} · {label}"


def safe_place_words(value: Mapping[str, Any]) -> str:
    label = safe_place_label(str(value.get("safe_place") or "none"))
    note = str(value.get("instructions") or "")
    return f"{label} — {note}" if note else label


def value_words(kind: str, value: Mapping[str, Any], *, full_address: bool = True) -> str:
    """A change's value as one line; an address with its street only where the reader proved who
    they are (`full_address`); otherwise city-level."""
    if kind == rules.ADDRESS:
        shown = value if full_address else {k: value.get(k, "") for k in ("region", "city", "country")}
        return addresses.format_address(shown, current_language(), honorific=False,
                                        name=str(value.get("name") or "") if full_address else "").one_line()
    if kind == rules.WINDOW:
        return window_words(value)
    return safe_place_words(value)


def state_label(state: str) -> str:
    return {rules.PENDING: _("Waiting for the shop"), rules.APPLIED: _("Done"),
            rules.REFUSED: _("Not possible")}.get(state, state)
