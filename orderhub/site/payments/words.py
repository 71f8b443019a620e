"""What the shopper reads about the payment and the documents that follow it, in the page's language:
the hub's payment card, the status line of documents, and the per-rate lines (「10%対象 ¥1,400（消費税
¥127）」). The decisions are db/payments/rules and db/documents/rules; this only words them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from orderhub.components import filters
from orderhub.components.i18n import gettext as _
from orderhub.db.documents import rules as doc_rules
from orderhub.db.documents.queries import CreditNoteView
from orderhub.db.orders.queries import OrderView
from orderhub.db.payments import rules
from orderhub.db.payments.queries import PaymentView


def status_label(payment: PaymentView) -> str:
    """The payment's state in a few words (documents, the admin)."""
    return {
        rules.PENDING: _("Awaiting payment"), rules.AUTHORIZED: _("Authorized"), rules.PAID: _("Paid"),
        rules.PARTIALLY_REFUNDED: _("Partially refunded"), rules.REFUNDED: _("Refunded"),
        rules.VOIDED: _("Cancelled, nothing charged"),
    }.get(payment.status, payment.status)


def rate_lines(totals: list[doc_rules.RateTotal], prices_include_tax: bool, currency: str) -> list[str]:
    """One line per tax rate naming which figure is the taxable amount and which the tax."""
    return [
        _("%(rate)s taxable %(amount)s (consumption tax %(tax)s)", rate=filters.percent(t.rate),
          amount=filters.money(doc_rules.taxable_minor(t, prices_include_tax), currency),
          tax=filters.money(t.tax_minor, currency)) + (" ※" if t.reduced else "")
        for t in totals
    ]


def order_rate_lines(order: OrderView) -> list[str]:
    japan = doc_rules.japanese(order.currency)
    totals = doc_rules.from_per_rate(order.tax_by_rate, order.prices_include_tax, japan)
    return rate_lines(totals, order.prices_include_tax, order.currency)


@dataclass(frozen=True)
class PaymentCard:
    """The hub's payment card: a state key (for tests and styling), a title, sentences, facts, and
    the documents on offer."""

    state: str
    title: str
    sentences: list[str]
    facts: list[tuple[str, str]]
    receipt: bool
    confirmation: bool
    credit_notes: list[CreditNoteView] = field(default_factory=list)

    @property
    def urgent(self) -> bool:
        """The shopper has something to do (pay by the deadline, have cash ready): shown first."""
        return self.state in (rules.AWAITING, rules.AWAITING_LATE, rules.ON_DELIVERY)


def _deadline(payment: PaymentView, tz: str) -> str:
    return filters.datetime(payment.deadline, tz) if payment.deadline else ""


def payment_card(order: OrderView, now: dt.datetime, credit_notes: list[CreditNoteView]) -> PaymentCard:
    payment = PaymentView.of_row(order)
    state = payment.shopper_state(now)
    total = filters.money(order.total_minor, order.currency)
    tz = order.timezone
    deadline = _deadline(payment, tz)
    facts: list[tuple[str, str]] = []
    sentences: list[str]
    if state in (rules.AWAITING, rules.AWAITING_LATE):
        title = _("Waiting for your payment")
        if state == rules.AWAITING_LATE:
            sentences = [_("The payment deadline (%(deadline)s) has passed. If you have already paid, it can take a "
                           "little while to show here; otherwise please contact us.", deadline=deadline)]
        elif payment.method == rules.KONBINI:
            sentences = [_("Please pay %(amount)s at a convenience store by %(deadline)s.", amount=total,
                           deadline=deadline) if deadline else
                         _("Please pay %(amount)s at a convenience store.", amount=total)]
        else:
            sentences = [_("Please transfer %(amount)s by %(deadline)s.", amount=total, deadline=deadline)
                         if deadline else _("Please transfer %(amount)s.", amount=total)]
        sentences.append(_("We will prepare your order once the payment arrives. Your receipt is ready then."))
        if payment.reference:
            facts.append((_("Payment number"), payment.reference))
        if deadline:
            facts.append((_("Pay by"), deadline))
    elif state == rules.ON_DELIVERY:
        title = _("Pay on delivery")
        sentences = [_("You pay %(amount)s when your order is delivered. Your receipt is ready after delivery.",
                       amount=total)]
    elif state == rules.AUTHORIZED:
        title = _("Payment authorized")
        sentences = [_("Your payment of %(amount)s is authorized. It is charged when we take the payment.",
                       amount=total)]
    elif state == rules.VOIDED:
        title = _("Payment cancelled")
        sentences = [_("The payment for this order was cancelled. Nothing was charged.")]
    else:
        title = _("Paid") if state == rules.PAID else status_label(payment)
        paid_on = filters.date(payment.paid_at, "long", tz) if payment.paid_at else ""
        sentences = [_("We received your payment of %(amount)s on %(date)s.", amount=total, date=paid_on)
                     if paid_on else _("We received your payment of %(amount)s.", amount=total)]
        if payment.refunded_minor:
            sentences.append(_("Refunded so far: %(amount)s.", amount=filters.money(payment.refunded_minor,
                                                                                     order.currency)))
    refusal = doc_rules.order_receipt_refusal(order)
    return PaymentCard(state, title, sentences, facts, receipt=refusal is None,
                       confirmation=refusal in (doc_rules.NOT_PAID, doc_rules.NOT_DELIVERED),
                       credit_notes=credit_notes)
