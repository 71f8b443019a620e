"""Words for the confirmation page: the status sentence, the next steps and the returns sentence
(what it says about cancelling is the cancel area's, site/cancel/presenter.summary). Decisions come
from db rules; this module only chooses and formats the words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from orderhub.components import filters
from orderhub.components import promise as promise_words
from orderhub.components.i18n import gettext as _
from orderhub.components.i18n import ngettext
from orderhub.components.payments import payment_label as payment_label
from orderhub.components.shop_texts import words
from orderhub.db.orders import rules
from orderhub.db.orders.queries import OrderView
from orderhub.db.shipping.rules import Promise


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    done: bool


def status_of(order: OrderView, shipment_statuses: list[str] | None = None,
              pickup_state: str | None = None) -> rules.OrderStatus:
    return rules.order_status(
        cancelled=order.cancelled, fulfillment_type=order.fulfillment_type,
        fulfillment_status=order.fulfillment_status, shipment_statuses=shipment_statuses or [],
        pickup_state=pickup_state,
        awaiting_payment=order.awaiting_payment,
    )


#: the status line of each order status, said when asked (in the request's language)
_STATUS_TEXTS: dict[str, Callable[[str], str]] = {
    "processing": lambda store: _("We're getting your order ready."),
    "preparing": lambda store: _("The store is preparing your order."),
    "shipped": lambda store: _("Your order is on its way."),
    "partially_delivered": lambda store: _("Part of your order has arrived; the rest is on its way."),
    "out_for_delivery": lambda store: _("Your order is out for delivery today."),
    "delivered": lambda store: _("Your order has been delivered."),
    "attention": lambda store: _("There's a problem with your delivery: see tracking for what happens now."),
    "ready_for_pickup": lambda store: _("Your order is ready for pickup at %(store)s.") % {"store": store},
    "picked_up": lambda store: _("You picked up your order. Enjoy!"),
    "pickup_expired": lambda store: _("The pickup period has ended. Please contact us."),
    "cancelled": lambda store: _("This order was cancelled."),
    "returned": lambda store: _("This order was returned."),
    "awaiting_payment": lambda store: _("We'll prepare your order as soon as your payment arrives."),
}


def status_text(status: rules.OrderStatus, order: OrderView) -> str:
    said = _STATUS_TEXTS.get(status.key)
    if said is None:
        return ""
    return said(words(order.store.texts, "name", order.store.name) if order.store else "")


def next_steps(order: OrderView, status: rules.OrderStatus, promise: Promise | None = None) -> list[Step]:
    """The order's steps; a step that is done says what happened (past tense), never what will."""
    placed = Step(_("Order received"),
                  _("Placed on %(date)s.") % {"date": filters.date(order.placed_at, "long", order.timezone)}, True)
    if status.key == "cancelled":  # nothing more happens: no packing, shipping or pickup steps to promise
        return [placed, Step(_("Order cancelled"), _("Your order was cancelled. Nothing will be shipped."), True)]
    if order.is_pickup:
        store = words(order.store.texts, "name", order.store.name) if order.store else ""
        bring = words(order.store.texts, "what_to_bring", order.store.what_to_bring) if order.store else ""
        if status.ready_for_pickup:
            prepare = Step(_("We prepared your order"), _("Your order was ready for pickup."), True)
        else:
            prepare = Step(
                _("We prepare your order"),
                _("We'll email you as soon as it's ready, usually by %(date)s.") % {"date": filters.date(order.promised_date)}
                if order.promised_date
                else _("We'll email you as soon as it's ready."),
                False,
            )
        if status.picked_up:
            collect = Step(_("Picked up at %(store)s") % {"store": store}, _("You picked up your order."), True)
        else:
            collect = Step(_("Pick it up at %(store)s") % {"store": store},
                           (_("Bring: %(things)s.") % {"things": bring}) if bring else "", False)
        return [placed, prepare, collect]
    arrived = status.delivered or status.key == "returned" or (promise is not None and promise.kind == "delivered")
    sent = status.on_its_way or arrived
    when = promise_words.promise_text(promise, order.timezone)
    if sent:
        pack = Step(_("We packed your order"), _("It left us and is with the carrier."), True)
    else:
        pack = Step(_("We pack your order"), ngettext(
            "We pack orders within %(num)s business day.",
            "We pack orders within %(num)s business days.",
            max(order.processing_days, 1),
        ), False)
    if arrived:
        way = Step(_("On its way"), _("The carrier brought it to you."), True)
        done = Step(_("Delivered"), when or _("Your order was delivered."), True)
    else:
        way = Step(_("On its way"), when or _("We'll send a delivery estimate when it ships."),
                   status.on_its_way)
        done = Step(_("Delivered"), _("We'll let you know when it arrives."), False)
    return [placed, pack, way, done]


def return_text(order: OrderView) -> str:
    days = order.return_window_days
    finals = order.final_sale_count
    if order.is_pickup:
        base = ngettext(
            "You can return items within %(num)s day of pickup.", "You can return items within %(num)s days of pickup.", days
        )
    else:
        base = ngettext(
            "You can return items within %(num)s day of delivery.", "You can return items within %(num)s days of delivery.", days
        )
    if finals:
        base += " " + ngettext(
            "The item marked final sale can't be returned.", "Items marked final sale can't be returned.", finals
        )
    return base
