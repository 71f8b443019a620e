"""Words for the shopper's cancellation: reasons, the state of a cancellation, the refund. Decisions
come from db/orders (rules, cancellation); this module only chooses and formats the words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from orderhub.components import filters
from orderhub.components.i18n import gettext as _
from orderhub.components.refund_words import refund_how, refund_method
from orderhub.db import clock
from orderhub.db.orders import rules
from orderhub.db.orders.cancellation import CancelFacts, CancellationView
from orderhub.db.orders.queries import OrderView
from orderhub.site import form_errors

__all__ = ["refund_how", "refund_method"]


def reason_choices() -> list[tuple[str, str]]:
    labels = {
        "changed_mind": _("I changed my mind"),
        "ordered_by_mistake": _("I ordered by mistake"),
        "found_cheaper": _("I found it cheaper elsewhere"),
        "too_slow": _("It would arrive too late"),
        "wrong_details": _("I chose the wrong size, colour or address"),
        "other": _("Something else"),
    }
    return [(key, labels[key]) for key in rules.CANCEL_REASONS]


def reason_label(key: str) -> str:
    return dict(reason_choices()).get(key, "")


def status_label(view: CancellationView) -> str:
    if view.status == rules.REQUESTED:
        return _("Cancellation requested")
    if view.status == rules.REFUSED:
        return _("Cancellation refused")
    return _("Order cancelled") if view.whole else _("Items cancelled")


def status_tone(view: CancellationView) -> str:
    return {rules.REQUESTED: "info", rules.REFUSED: "warn"}.get(view.status, "muted")


def status_text(view: CancellationView) -> str:
    if view.status == rules.REQUESTED:
        return _("We've asked the shop to cancel. You'll get an email as soon as they answer; until then "
                 "nothing ships.")
    if view.status == rules.REFUSED:
        return _("The shop couldn't cancel this. Your order goes ahead as placed.")
    if view.whole:
        return _("Your order was cancelled. Nothing will be shipped.")
    return _("The items below were cancelled. The rest of your order goes ahead.")


@dataclass(frozen=True)
class Summary:
    """The order page's "Changed your mind?" line."""

    text: str
    link_label: str
    url: str


def summary(order: OrderView, facts: CancelFacts, now: dt.datetime, url: str) -> Summary:
    """What the order page says about cancelling, from the same facts as the cancel page."""
    latest = facts.latest
    if facts.cancelled:
        refund = latest.refund_minor if latest and latest.whole else facts.refunded_minor
        text = _("This order was cancelled.")
        if refund:
            text += " " + _("Refund: %(amount)s.", amount=filters.money(refund, facts.currency))
        return Summary(text, _("See the cancellation"), url)
    if latest is not None and latest.pending:
        return Summary(_("You asked to cancel. We're waiting for the shop's answer."), _("See your request"), url)
    when = filters.datetime(facts.cancel_until, order.timezone)
    clock.changes_at(facts.cancel_until, now)
    if facts.can_cancel(now):
        return Summary(_("You can cancel until %(when)s.", when=when), _("Cancel order"), url)
    if latest is not None and latest.status == rules.REFUSED:
        return Summary(_("The shop couldn't cancel this order."), _("See why"), url)
    if latest is not None:
        return Summary(_("Part of this order was cancelled."), _("See the cancellation"), url)
    return Summary(_("The cancellation period ended on %(when)s. You can still return items once they arrive.",
                     when=when), "", "")


def field_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    return form_errors.by_field(errors)


def item_rows(order: OrderView, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines a cancellation names, with their titles."""
    by_id = {ln.line_id: ln for ln in order.lines}
    return [{"line": by_id[i["line_id"]], "quantity": int(i["quantity"])} for i in items if i["line_id"] in by_id]
