"""Reads: an order's payment as the API answers it and the hub shows it, and its refunds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from orderhub import money
from orderhub.db import engine
from orderhub.db.orders.tables import Order
from orderhub.db.payments import rules
from orderhub.db.payments.tables import PaymentRefund


@dataclass(frozen=True)
class PaymentView:
    """An order's payment: state, method, payment number, dates, and what was refunded."""

    status: str
    method: str
    brand: str
    last4: str
    reference: str
    paid_at: dt.datetime | None
    deadline: dt.datetime | None
    refunded_minor: int
    currency: str

    @classmethod
    def of_row(cls, order: Any) -> PaymentView:
        """From an order row (a dict, or an object read by attribute such as OrderView / Order)."""
        def get(key: str) -> Any:
            return order.get(key) if isinstance(order, dict) else getattr(order, key, None)

        payment = cast(dict[str, Any], get("payment") or {})
        return cls(
            status=get("payment_status") or rules.PAID, method=payment.get("method") or rules.CARD,
            brand=payment.get("brand") or "", last4=payment.get("last4") or "",
            reference=payment.get("reference") or "", paid_at=get("paid_at"),
            deadline=get("payment_deadline"), refunded_minor=int(get("refunded_minor") or 0),
            currency=get("currency") or "",
        )

    def shopper_state(self, now: dt.datetime) -> str:
        return rules.shopper_state(self.status, self.method, self.deadline, now)

    @property
    def pay_later(self) -> bool:
        return self.method in rules.PAY_LATER

    def as_json(self) -> dict[str, Any]:
        """The order's `payment` object in the API (docs/api.md)."""
        return rules.as_json(
            {"method": self.method, "brand": self.brand, "last4": self.last4, "reference": self.reference},
            self.status, self.paid_at, self.deadline, money.to_string(self.refunded_minor, self.currency or "JPY"),
        )


@dataclass(frozen=True)
class RefundView:
    amount_minor: int
    reason: str
    source: str
    at: dt.datetime


async def refunds(order_id: int) -> list[RefundView]:
    async with engine.read():
        rows = await PaymentRefund.select().where(PaymentRefund.order == order_id).order_by(PaymentRefund.id)
    return [RefundView(r["amount_minor"], r["reason"], r["source"], r["created_at"]) for r in rows]


async def payment_of(order_id: int) -> PaymentView | None:
    """The payment of one order (the admin's order page)."""
    async with engine.read():
        row = await Order.select(Order.payment, Order.payment_status, Order.paid_at, Order.payment_deadline,
                                 Order.refunded_minor, Order.currency).where(Order.id == order_id).output(
            load_json=True).first()
    return PaymentView.of_row(row) if row else None


async def news_of_refund(order_id: int, refund_id: int, currency: str) -> dict[str, str] | None:
    """What the payment's webhook said of refund `refund_id` ({"status", "refunded"}: the payment's
    status after it and the order's refunded total then), to find that refund's own news among the
    order's; None for a refund the order does not have."""
    async with engine.read():
        rows = await PaymentRefund.select(PaymentRefund.id, PaymentRefund.amount_minor, PaymentRefund.status_after).where(
            (PaymentRefund.order == order_id) & (PaymentRefund.id <= refund_id))
    mine = next((r for r in rows if r["id"] == refund_id), None)
    if mine is None:
        return None
    return {"status": mine["status_after"], "refunded": money.to_string(sum(r["amount_minor"] for r in rows), currency)}
