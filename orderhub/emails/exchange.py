"""The words of the exchange emails ("exchange requested", "pay the difference"), in the current
language: the chosen items and the difference as the return's stored settlement says
(db/returns/exchange_rules), the same figures as the hub. Pure: takes the payload and the facts."""

from __future__ import annotations

from typing import Any

from orderhub.components.filters import money
from orderhub.components.i18n import current_language
from orderhub.components.i18n import gettext as _
from orderhub.components.shop_texts import plain
from orderhub.db import texts
from orderhub.emails.facts import MessageFacts

KINDS = ("exchange_created", "exchange_payment_due", "exchange_refunded")


def exchange_words(kind: str, payload: dict[str, Any], facts: MessageFacts, hello: str) -> dict[str, Any]:
    """The fields of the message's `Content` (emails/content.py builds it)."""
    number = facts.order.number
    ret = facts.return_request
    x = ret.exchange_for if ret else None
    ret_number = ret.number if ret else str(payload.get("number", ""))
    facts_rows = [(_("Return number"), ret_number)]
    items: list[tuple[str, str, int, str]] = []
    totals: list[tuple[str, str]] = []
    paragraphs = [hello]
    links: list[tuple[str, str]] = []
    if x is not None:
        s, cur = x.settlement, x.currency
        lang = current_language()
        items = [(plain(texts.pick(p.texts, "title", lang, p.title)), plain(texts.pick(p.texts, "option", lang, p.option)),
                  p.quantity, money(p.line_minor, cur)) for p in x.items]
        totals = [(_("Value of the items you return"), money(s.value_minor, cur))]
        if s.bonus_minor:
            totals.append((_("Exchange bonus"), money(s.bonus_minor, cur)))
        totals.append((_("New items"), money(s.new_total_minor, cur)))
        if s.to_pay_minor:
            totals.append((_("You pay the difference"), money(s.to_pay_minor, cur)))
        elif s.refund_minor:
            totals.append((_("We refund the difference"), money(s.refund_minor, cur)))
    if kind == "exchange_refunded":
        amount = money(x.difference_refunded_minor, x.currency) if x and x.difference_refunded else \
            str(payload.get("amount") or "")
        paragraphs.append(_("Return %(return)s was withdrawn, so we refunded the difference of %(amount)s you paid "
                            "to your original payment. Your exchange will not be sent.",
                            amount=amount, **{"return": ret_number}))
        if x is not None:
            totals = [(_("Difference paid"), money(x.settlement.to_pay_minor, x.currency))]
        totals.append((_("Paid difference refunded"), amount))
        return dict(subject=_("We refunded the difference for your exchange (order %(number)s)", number=number),
                    preheader=_("The difference you paid is on its way back to you."),
                    headline=_("Paid difference refunded"), paragraphs=paragraphs, cta_label=_("View your return"),
                    facts=facts_rows, items=items, totals=totals)
    if kind == "exchange_payment_due":
        amount = money(x.settlement.to_pay_minor, x.currency) if x else str(payload.get("difference_to_pay") or "")
        paragraphs.append(_("Your replacement is sent once the difference of %(amount)s is paid.", amount=amount))
        url = (x.payment_url if x else "") or str(payload.get("payment_url") or "")
        if url.startswith("https://"):
            links.append((_("Pay the difference"), url))
        return dict(subject=_("Pay the difference for your exchange (order %(number)s)", number=number),
                    preheader=_("One step left: pay the difference and we send your replacement."),
                    headline=_("Pay the difference"), paragraphs=paragraphs, cta_label=_("View your exchange"),
                    facts=facts_rows, items=items, totals=totals, links=links)
    paragraphs.append(_("We have reserved the items you chose in exchange for return %(return)s.",
                        **{"return": ret_number}))
    if x is not None and x.settlement.to_pay_minor:
        paragraphs.append(_("The new items cost %(amount)s more: we will email you a link to pay the difference.",
                            amount=money(x.settlement.to_pay_minor, x.currency)))
    elif x is not None and x.settlement.refund_minor:
        paragraphs.append(_("We refund the difference of %(amount)s to your original payment when your "
                            "replacement is sent.", amount=money(x.settlement.refund_minor, x.currency)))
    return dict(subject=_("Your exchange for order %(number)s is requested", number=number),
                preheader=_("Your new items are reserved for you."), headline=_("Your exchange is requested"),
                paragraphs=paragraphs, cta_label=_("View your exchange"), facts=facts_rows, items=items,
                totals=totals)
