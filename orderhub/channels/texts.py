"""The one sentence of a return, exchange or claim message on LINE, SMS and browser push, in the current
language, with the fact that matters: the pickup slot in words, the send-by day, the amount to pay or to
be refunded, the parcel's tracking number. Every fact comes from the same facts and rules as the email
(emails/facts.py: the stored return, its destination's send-by day, the exchange's stored settlement;
emails/home_pickup.when_words: the slot). Other kinds keep db/channels/rules.SHORT_TEXTS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orderhub.components.filters import date as fmt_date
from orderhub.components.filters import money
from orderhub.components.i18n import gettext as _
from orderhub.db.shipping import rules as shipping_rules
from orderhub.emails.facts import MessageFacts
from orderhub.emails.home_pickup import when_words


def _booking(payload: dict[str, Any], key: str = "pickup") -> dict[str, Any]:
    value = payload.get(key)
    return value if isinstance(value, dict) else {}


def _send_by(facts: MessageFacts) -> str:
    place = facts.return_destination
    return fmt_date(place.send_by_day, "long") if place is not None and place.send_by_day is not None else ""


def _carrier(code: str) -> str:
    return _(shipping_rules.carrier_name(code)) if code else ""


def _approved(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    by = _send_by(facts)
    if by:
        return _("Your return %(return)s is approved. Please send it by %(date)s.", date=by, **{"return": n})
    return _("Your return %(return)s is approved.", **{"return": n})


def _label(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    ret = facts.return_request
    label = ret.prepaid if ret else None
    carrier = _carrier((label.carrier if label else "") or str(payload.get("carrier") or ""))
    by = _send_by(facts)
    if (label.is_slip if label else bool(payload.get("reference"))):
        if by:
            return _("Your collect-on-delivery slip for return %(return)s is ready: send it with %(carrier)s by "
                     "%(date)s.", carrier=carrier, date=by, **{"return": n})
        return _("Your collect-on-delivery slip for return %(return)s is ready.", **{"return": n})
    if by:
        return _("Your return label for return %(return)s is ready: send it by %(date)s.", date=by, **{"return": n})
    return _("Your return label for return %(return)s is ready.", **{"return": n})


def _pickup_booked(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    booking = _booking(payload)
    return _("%(carrier)s will collect your return %(return)s on %(when)s.",
             carrier=_carrier(str(booking.get("carrier") or "")), when=when_words(booking), **{"return": n})


def _pickup_rescheduled(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    return _("The pickup of your return %(return)s is moved to %(when)s.", when=when_words(_booking(payload)),
             **{"return": n})


def _pickup_cancelled(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    return _("The pickup of your return %(return)s on %(when)s is cancelled.", when=when_words(_booking(payload)),
             **{"return": n})


def _exchange_created(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    x = facts.return_request.exchange_for if facts.return_request else None
    if x is not None and x.settlement.to_pay_minor:
        return _("Your exchange is reserved. The new items cost %(amount)s more: we will send you a link to pay "
                 "the difference.", amount=money(x.settlement.to_pay_minor, x.currency))
    if x is not None and x.settlement.refund_minor:
        return _("Your exchange is reserved. We refund the difference of %(amount)s when your replacement is sent.",
                 amount=money(x.settlement.refund_minor, x.currency))
    return _("Your exchange for return %(return)s is reserved.", **{"return": n})


def _exchange_payment_due(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    x = facts.return_request.exchange_for if facts.return_request else None
    amount = money(x.settlement.to_pay_minor, x.currency) if x else str(payload.get("difference_to_pay") or "")
    return _("Pay the difference of %(amount)s for your exchange, and we send your replacement.", amount=amount)


def _in_transit(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    ret = facts.return_request
    tracking = (ret.tracking_number if ret else "") or str(payload.get("tracking_number") or "")
    if tracking:
        carrier = _carrier((ret.carrier if ret else "") or str(payload.get("carrier") or ""))
        return _("Your return %(return)s is on its way to us (%(carrier)s, tracking number %(tracking)s).",
                 carrier=carrier, tracking=tracking, **{"return": n})
    return _("Your return %(return)s is on its way to us.", **{"return": n})


def _received(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    ret = facts.return_request
    if ret is not None and ret.total_minor:
        return _("We received your return %(return)s. Expected refund: %(amount)s.",
                 amount=money(ret.total_minor, ret.currency), **{"return": n})
    return _("We received your return %(return)s.", **{"return": n})


def _refunded(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    ret = facts.return_request
    if ret is not None:
        return _("Your refund of %(amount)s for return %(return)s is on its way.",
                 amount=money(ret.total_minor, ret.currency), **{"return": n})
    return ""


def _rejected(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    return _("We could not accept your return %(return)s. The items stay with you.", **{"return": n})


def _exchange_shipped(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    return _("Your replacement for return %(return)s is on its way.", **{"return": n})


def _correction(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    return _("Please disregard our last message about return %(return)s: it was sent by mistake.", **{"return": n})


def _claim_resolved(n: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    claim = facts.claim
    number = claim.number if claim else str(payload.get("number") or "")
    if claim is not None and claim.refunded_minor:
        return _("Your claim %(claim)s is resolved: we refunded %(amount)s.", claim=number,
                 amount=money(claim.refunded_minor, claim.currency))
    return _("Your claim %(claim)s is resolved.", claim=number)


Sentence = Callable[[str, dict[str, Any], MessageFacts], str]

#: the kinds with their own sentence (the rest: db/channels/rules.SHORT_TEXTS)
SENTENCES: dict[str, Sentence] = {
    "return_approved": _approved, "return_label": _label, "pickup_booked": _pickup_booked,
    "pickup_rescheduled": _pickup_rescheduled, "pickup_cancelled": _pickup_cancelled,
    "exchange_created": _exchange_created, "exchange_payment_due": _exchange_payment_due,
    "return_in_transit": _in_transit, "return_received": _received, "return_refunded": _refunded,
    "return_rejected": _rejected, "exchange_shipped": _exchange_shipped, "return_correction": _correction,
    "claim_resolved": _claim_resolved,
}


def sentence(kind: str, payload: dict[str, Any], facts: MessageFacts) -> str:
    """The kind's own sentence in the current language, or "" (the generic short text then)."""
    build = SENTENCES.get(kind)
    if build is None:
        return ""
    ret = facts.return_request
    number = ret.number if ret else str(payload.get("number") or "")
    return build(number, payload, facts)
