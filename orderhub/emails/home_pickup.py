"""The words of the home pickup emails (booked, rescheduled, cancelled), in the current language: the
slot in the merchant's time zone (components/home_pickup: 「12月8日（火）14〜16時」 / "Tue 8 Dec, 2–4 pm"),
the carrier, the city-level address and until when it may be changed. Pure: takes the event's payload
(the booking as it was at that moment) and the facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orderhub.components import home_pickup as slot_words
from orderhub.components.filters import datetime as fmt_datetime
from orderhub.components.i18n import current_language
from orderhub.components.i18n import gettext as _
from orderhub.db import addresses
from orderhub.db.orders.rules import masked_address
from orderhub.db.shipping import rules as shipping_rules
from orderhub.emails.facts import MessageFacts

KINDS = ("pickup_booked", "pickup_rescheduled", "pickup_cancelled")


def when_words(booking: dict[str, Any]) -> str:
    """A booking's slot in words in the current language (the emails' and the channels' short texts')."""
    try:
        start = dt.datetime.fromisoformat(str(booking.get("starts_at")))
        end = dt.datetime.fromisoformat(str(booking.get("ends_at")))
    except ValueError:
        return "-"
    return slot_words.slot_words(start, end, str(booking.get("timezone") or "UTC"))


def pickup_words(kind: str, payload: dict[str, Any], facts: MessageFacts, hello: str) -> dict[str, Any]:
    """The fields of the message's `Content` (emails/content.py builds it)."""
    booking = payload.get("pickup") if isinstance(payload.get("pickup"), dict) else {}
    assert isinstance(booking, dict)
    ret_number = str(payload.get("number") or "")
    when = when_words(booking)
    carrier = _(shipping_rules.carrier_name(str(booking.get("carrier") or "")))
    where = addresses.format_address(masked_address(booking.get("address") or {}), current_language(),
                                     honorific=False).one_line()
    facts_list = [(_("Return number"), ret_number), (_("Pickup time"), when), (_("Carrier"), carrier)]
    if kind == "pickup_cancelled":
        return dict(
            subject=_("Your pickup for return %(return)s (order %(number)s) is cancelled", number=facts.order.number,
                      **{"return": ret_number}),
            preheader=_("The pickup on %(when)s is cancelled.", when=when),
            headline=_("Your pickup is cancelled"),
            paragraphs=[hello, _("We cancelled the pickup on %(when)s. Nothing is charged for it. You can book "
                                 "another time on your return page.", when=when)],
            cta_label=_("Book another pickup"), facts=facts_list,
        )
    try:
        cutoff = fmt_datetime(dt.datetime.fromisoformat(str(booking.get("cutoff"))),
                              str(booking.get("timezone") or "UTC"), "short")
    except ValueError:
        cutoff = ""
    facts_list.append((_("Address"), where))
    if kind == "pickup_rescheduled":
        previous = payload.get("previous") if isinstance(payload.get("previous"), dict) else {}
        assert isinstance(previous, dict)
        lead = _("Your pickup is moved from %(old)s to %(when)s.", old=when_words(previous), when=when)
        subject = _("Your pickup for return %(return)s (order %(number)s) is now %(when)s", when=when,
                    number=facts.order.number, **{"return": ret_number})
        headline = _("Your pickup is changed")
    else:
        lead = _("%(carrier)s will collect your return on %(when)s.", carrier=carrier, when=when)
        subject = _("Pickup booked for return %(return)s (order %(number)s): %(when)s", when=when,
                    number=facts.order.number, **{"return": ret_number})
        headline = _("Your pickup is booked")
    return dict(
        subject=subject, preheader=lead, headline=headline,
        paragraphs=[hello, lead, _("Have the packed parcel ready. The driver brings the label.")],
        next_steps=_("You can change or cancel the pickup free of charge until %(when)s.", when=cutoff)
        if cutoff else "",
        cta_label=_("View or change your pickup"), facts=facts_list,
    )
