"""The words of the cancellation emails ("order cancelled", "cancellation refused"), in the current
language: the refund amount, how it comes back and when (components/refund_words, the same words as
the hub). Pure: takes the event's payload (written when the cancellation was decided) and the facts."""

from __future__ import annotations

from typing import Any

from orderhub import money as money_units
from orderhub.components.filters import money
from orderhub.components.i18n import gettext as _
from orderhub.components.refund_words import refund_how, refund_method
from orderhub.components.shop_texts import line_words
from orderhub.emails.facts import MessageFacts


def cancellation_words(kind: str, payload: dict[str, Any], facts: MessageFacts, hello: str) -> dict[str, Any]:
    """The fields of the message's `Content` (emails/content.py builds it)."""
    order = facts.order
    number = order.number
    by_id = {ln.line_id: ln for ln in order.lines}
    items = [(*line_words(by_id[i["line_id"]]), int(i["quantity"]), "")
             for i in payload.get("items") or [] if i.get("line_id") in by_id]
    if kind == "cancel_refused":
        paragraphs = [hello, _("The shop couldn't cancel your order %(number)s, so it goes ahead as placed.",
                               number=number)]
        if payload.get("note"):
            paragraphs.append(_("Note from the shop: %(note)s", note=str(payload["note"])))
        return dict(
            subject=_("Order %(number)s couldn't be cancelled", number=number),
            preheader=_("Your order goes ahead as placed."),
            headline=_("We couldn't cancel your order"),
            paragraphs=paragraphs, cta_label=_("View your order"), items=items,
        )
    route = str(payload.get("refund_route") or "other")
    try:
        amount = money(money_units.parse(str(payload.get("refund") or "0"), order.currency), order.currency)
    except (ValueError, ArithmeticError):
        amount = money(0, order.currency)
    whole = bool(payload.get("whole"))
    paragraphs = [hello, _("Your order %(number)s was cancelled. Nothing will be shipped.", number=number) if whole
                  else _("Part of your order %(number)s was cancelled; the rest goes ahead.", number=number),
                  refund_how(route)]
    if payload.get("note"):
        paragraphs.append(_("Note from the shop: %(note)s", note=str(payload["note"])))
    return dict(
        subject=(_("Order %(number)s was cancelled", number=number) if whole
                 else _("Order %(number)s was cancelled in part", number=number)),
        preheader=refund_method(route),
        headline=_("Your order was cancelled") if whole else _("Items were cancelled"),
        paragraphs=paragraphs, cta_label=_("See the cancellation"), items=items,
        facts=[(_("Order number"), number), (_("Refund amount"), amount), (_("Refund method"), refund_method(route))],
    )
