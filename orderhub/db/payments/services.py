"""Writes: the storefront moves an order's payment (`PUT .../payment`, or the order body's own
`payment.status`), and refunds are recorded (a cancellation, a return). Each change, its event
(webhooks and the shopper's email, through the outbox) and its documents (a credit note) are
written in one transaction; every function joins the caller's write scope."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from orderhub import money
from orderhub.db import engine
from orderhub.db.documents import services as documents
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.orders.tables import Order
from orderhub.db.outbox import services as outbox
from orderhub.db.payments import rules
from orderhub.db.payments.queries import PaymentView
from orderhub.db.payments.tables import PaymentRefund

#: order columns <- the names a payment move uses
_COLUMNS = {"status": Order.payment_status, "paid_at": Order.paid_at, "deadline": Order.payment_deadline}


def _state(order: dict[str, Any]) -> dict[str, Any]:
    payment = cast(dict[str, Any], order.get("payment") or {})
    return {"status": order["payment_status"], "paid_at": order["paid_at"], "deadline": order["payment_deadline"],
            "reference": payment.get("reference") or "", "method": payment.get("method") or rules.CARD}


async def apply_update(order: dict[str, Any], update: rules.PaymentUpdate, *, now: dt.datetime) -> bool:
    """Inside a write scope: move the payment of `order` (its row, JSON decoded) -> whether anything
    changed. A move the states do not allow -> ValidationFailed (422, field `status`)."""
    current = _state(order)
    try:
        move = rules.plan_move(current, update, now)
    except ValueError:
        raise ValidationFailed([{
            "field": "status", "code": rules.BAD_MOVE,
            "message": f"cannot move a payment from {current['status']} to {update.status}",
        }]) from None
    if not move.values:
        return False
    values: dict[Any, Any] = {_COLUMNS[k]: v for k, v in move.values.items() if k in _COLUMNS}
    if "reference" in move.values:
        values[Order.payment] = {**cast(dict[str, Any], order.get("payment") or {}), "reference": move.values["reference"]}
    values[Order.updated_at] = now
    await Order.update(values).where(Order.id == order["id"])
    if move.event:
        await outbox.notify(order["merchant"], move.event, {
            "order_id": order["external_id"], "number": order["number"], "status": move.values["status"],
            "previous_status": current["status"], "method": current["method"],
        }, order_id=order["id"], now=now)
    return True


async def void_unpaid(order_id: int, *, now: dt.datetime) -> bool:
    """Inside the caller's write (a whole cancellation): a payment still pending (konbini or bank
    transfer not paid yet) is voided, with its `payment.voided` event -> whether it was."""
    order = await Order.select().output(load_json=True).where(Order.id == order_id).first()
    if order is None or order["payment_status"] != rules.PENDING:
        return False
    return await apply_update(order, rules.PaymentUpdate(rules.VOIDED, None, None, None), now=now)


async def set_payment(merchant_id: int, external_id: str, body: Any, *, now: dt.datetime) -> PaymentView:
    """PUT /api/v1/orders/{external_id}/payment: idempotent (the same body again changes nothing and
    announces nothing); bad input or a move the states refuse -> 422; another merchant's order -> 404."""
    update, errors = rules.read_update(body)
    if errors or update is None:
        raise ValidationFailed(errors)
    if not (0 < len(external_id) <= 200) or "\x00" in external_id:
        raise NotFound("order.not_found", "no such order", field="external_id")
    async with engine.write():
        order = await Order.select().output(load_json=True).where(Order.key == scoped(merchant_id, external_id)).first()
        if order is None:
            raise NotFound("order.not_found", "no such order", field="external_id")
        if await apply_update(order, update, now=now):
            order = await Order.select().output(load_json=True).where(Order.id == order["id"]).first()
            assert order is not None
        return PaymentView.of_row(order)


async def record_refund(order_id: int, amount_minor: int, *, reason: str, source: str, now: dt.datetime,
                        credit_note: bool = True) -> None:
    """Record a refund of `amount_minor` (minor units, tax included) on the order: the payment moves to
    partially_refunded or refunded (a payment never taken is voided once the whole order is refunded),
    and a credit note (適格返還請求書) is issued when the order's receipt had been issued. Joins the
    caller's write transaction (a cancellation, a return), so a rollback there writes nothing here.
    A refund above what is left to refund, or not positive -> Conflict. `credit_note` False: the caller
    documents the refund itself (a refunded return has its own credit note, site/receipts/returns.py)."""
    async with engine.write():
        order = await Order.select().output(load_json=True).where(Order.id == order_id).first()
        if order is None:
            raise NotFound("order.not_found", "no such order")
        refused = rules.check_refund(amount_minor, order["total_minor"], order["refunded_minor"])
        if refused:
            raise Conflict(refused, "the refund must be positive and at most what is left to refund",
                           field="amount")
        refunded = order["refunded_minor"] + amount_minor
        status = rules.refund_status(order["payment_status"], order["total_minor"], refunded)
        refund = PaymentRefund(merchant=order["merchant"], order=order_id, amount_minor=amount_minor,
                               reason=reason[:200], source=source[:32], status_after=status, created_at=now)
        await refund.save()
        await Order.update({Order.refunded_minor: refunded, Order.payment_status: status,
                            Order.updated_at: now}).where(Order.id == order_id)
        if credit_note:
            await documents.issue_credit_note(order, refund.id, amount_minor, reason=reason, now=now)
        if status != order["payment_status"]:
            await outbox.notify(order["merchant"], rules.event_for(order["payment_status"], status,
                                                                   _state(order)["method"]), {
                "order_id": order["external_id"], "number": order["number"], "status": status,
                "previous_status": order["payment_status"], "refunded": money.to_string(refunded, order["currency"]),
            }, order_id=order_id, now=now)
