"""What the return page's home pickup card needs (`_home_pickup.html.jinja`): the booking, the dates
and slots offered, and the words for them, in the page's language and the merchant's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orderhub.components import home_pickup as words
from orderhub.components.i18n import current_language
from orderhub.components.i18n import gettext as _
from orderhub.db.orders.rules import masked_address
from orderhub.db.returns import home_pickup, queries
from orderhub.db.returns import home_pickup_rules as rules
from orderhub.db.shipping import rules as shipping_rules
from orderhub.site import messages
from orderhub.site.changes.routes import _region_options

#: ?pickup=… after a plain form's 303: what the card confirms
DONE = ("booked", "rescheduled", "cancelled")


def slot_text(booking: home_pickup.BookingView) -> str:
    return words.slot_words(booking.starts_at, booking.ends_at, booking.timezone)


async def pickup_context(view: queries.ReturnView, now: dt.datetime, *, errors: dict[str, str] | None = None,
                         values: dict[str, Any] | None = None, message: str = "", done: str = "") -> dict[str, Any]:
    if not view.by_home_pickup or view.keep_item:
        return {"pickup": None}
    state = await home_pickup.state(view.id, now=now)
    tz = state.timezone
    sample = state.offer[0].day if state.offer else now.date()
    slots = [(s.code, words.slot_hours(*rules.window(sample, s, tz), tz)) for s in state.slots]
    country = str((state.order_address or {}).get("country") or "")
    return {
        "pickup": state, "pickup_dates": [(d.day.isoformat(), words.day_words(d.day)) for d in state.offer],
        "pickup_slots": slots, "pickup_errors": errors or {}, "pickup_values": values or {},
        "pickup_message": message, "pickup_done": done if done in DONE else "",
        "pickup_slot_text": slot_text,
        "pickup_refusal": messages.text(state.change_refusal) if state.booking and state.change_refusal else "",
        "pickup_country": country, "pickup_regions": _region_options(country, current_language()),
        "pickup_notes_max": rules.NOTES_MAX, "pickup_order_shown": masked_address(state.order_address),
        "pickup_carrier": _(shipping_rules.carrier_name(state.booking.carrier if state.booking else state.carrier)),
    }


async def list_context(views: list[queries.ReturnView]) -> dict[str, Any]:
    """For the returns list (the hub's returns card): each return's booked pickup, in words."""
    booked = await home_pickup.bookings([v.id for v in views if v.by_home_pickup])
    return {"pickup_slots_by_return": {rid: slot_text(b) for rid, b in booked.items()}}


async def admin_context(view: queries.ReturnView, now: dt.datetime) -> dict[str, Any]:
    """For the merchant's return page: the active booking (the whole address) and the history."""
    if not view.by_home_pickup or view.keep_item:
        return {"pickup": None}
    state = await home_pickup.state(view.id, now=now)
    return {"pickup": state, "pickup_slot_text": slot_text,
            "pickup_carrier_name": lambda code: _(shipping_rules.carrier_name(code))}
