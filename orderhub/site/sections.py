"""The hub's sections, declared once, in the order a shopper expects them in the navigation:
Order, Tracking or Pickup, Returns, Feedback, Receipt. Whether a section applies to an order is a
rule of its area (asked here, never restated). Nothing registers itself on import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from orderhub.db.documents import rules as doc_rules
from orderhub.db.feedback import rules as feedback_rules
from orderhub.db.orders.queries import OrderView
from orderhub.db.returns import rules as returns_rules


def _always(order: OrderView) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    key: str
    #: English msgid of the navigation label (translated when rendered, per request)
    label: str
    #: path below /o/{token}; "" is the confirmation page
    path: str
    applies: Callable[[OrderView], bool] = _always


SECTIONS: tuple[Section, ...] = (
    Section("confirmation", "Order", ""),
    Section("tracking", "Tracking", "/tracking", applies=lambda order: order.ships),
    Section("pickup", "Pickup", "/pickup", applies=lambda order: order.is_pickup),
    Section("returns", "Returns", "/returns", applies=returns_rules.returns_section_open),
    Section("feedback", "Feedback", "/feedback",
            applies=lambda order: feedback_rules.survey_fulfilled(order.fulfillment_status)),
    Section("receipt", "Receipt", "/receipt", applies=lambda order: doc_rules.order_receipt_refusal(order) is None),
)


def visible(order: OrderView) -> list[Section]:
    return [s for s in SECTIONS if s.applies(order)]
