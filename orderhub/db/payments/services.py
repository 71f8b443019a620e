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


async def refundable(order_id: int) -> int:
    """What can still be refunded on the order (rules.refund_left); joins the caller's scope."""
    async with engine.read():
        order = await Order.select(Order.total_minor, Order.refunded_minor, Order.paid_in_minor).where(
            Order.id == order_id).first()
    return _left(order) if order else 0


def _left(order: dict[str, Any]) -> int:
    return rules.refund_left(int(order["total_minor"]), int(order["refunded_minor"] or 0),
                             int(order["paid_in_minor"] or 0))


async def record_paid_in(order_id: int, amount_minor: int, *, now: dt.datetime) -> None:
    """Money paid in after the order (an exchange's dearer difference): what can be refunded rises by
    it (rules.refund_left). Joins the caller's write; the caller makes it happen once."""
    if amount_minor <= 0:
        return
    async with engine.write():
        await Order.update({Order.paid_in_minor: Order.paid_in_minor + amount_minor, Order.updated_at: now}).where(
            Order.id == order_id)


async def record_refund(order_id: int, amount_minor: int, *, reason: str, source: str, now: dt.datetime,
                        credit_note: bool = True, up_to: bool = False) -> int:
    """Record a refund of `amount_minor` (minor units, tax included) on the order -> the amount refunded:
    the payment moves to partially_refunded or refunded (a payment never taken is voided once the whole
    order is refunded), and a credit note (適格返還請求書) is issued when the order's receipt had been
    issued. Joins the caller's write transaction (a cancellation, a return, a claim), so a rollback
    there writes nothing here. This is the one way a refund reaches the payment, and the one cap
    (rules.refund_left: what was charged, a paid exchange difference included, minus every refund so far,
    whoever made it): with `up_to`
    the refund is cut to what is left (0: nothing is recorded); without it, a refund above what is
    left, or not positive -> Conflict. `credit_note` False: the caller documents the refund itself (a
    refunded return has its own credit note, site/receipts/returns.py)."""
    async with engine.write():
        order = await Order.select().output(load_json=True).where(Order.id == order_id).first()
        if order is None:
            raise NotFound("order.not_found", "no such order")
        if up_to:
            amount_minor = min(amount_minor, _left(order))
            if amount_minor <= 0:
                return 0
        refused = rules.check_refund(amount_minor, order["total_minor"], order["refunded_minor"], order["paid_in_minor"])
        if refused:
            raise Conflict(refused, "the refund must be positive and at most what is left to refund",
                           field="amount")
        refunded = order["refunded_minor"] + amount_minor
        status = rules.refund_status(order["payment_status"], order["total_minor"], refunded, order["paid_in_minor"])
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
    return amount_minor


async def reverse_refund(order_id: int, refund_id: int, *, status_before: str, reason: str, now: dt.datetime) -> int:
    """Take back the order's latest refund (a counter reception undone within its window) -> the amount
    put back: a reversal row (negative amount) keeps the refunds' history, the order's refunded total
    and payment status go back to what they were before that refund, the refund's credit note (when one
    was issued) is voided in the issue log, and `payment.refund_reversed` tells the storefront. Joins the
    caller's write. A refund that is not the order's latest, or already reversed -> Conflict."""
    async with engine.write():
        rows = await PaymentRefund.select().where(PaymentRefund.order == order_id).order_by(
            PaymentRefund.id, ascending=False).limit(1)
        latest = rows[0] if rows else None
        if latest is None or latest["id"] != refund_id or latest["amount_minor"] <= 0:
            raise Conflict(rules.REFUND_NOT_LATEST, "only the order's latest refund can be taken back")
        order = await Order.select().output(load_json=True).where(Order.id == order_id).first()
        assert order is not None  # the refund's foreign key
        amount = int(latest["amount_minor"])
        refunded = max(0, int(order["refunded_minor"]) - amount)
        status = rules.status_after_reversal(order["payment_status"], status_before)
        await PaymentRefund(merchant=order["merchant"], order=order_id, amount_minor=-amount, reason=reason[:200],
                            source=rules.REVERSAL, status_after=status, created_at=now).save()
        await Order.update({Order.refunded_minor: refunded, Order.payment_status: status,
                            Order.updated_at: now}).where(Order.id == order_id)
        await documents.void_credit_note(refund_id, now=now)
        await outbox.notify(order["merchant"], rules.REFUND_REVERSED_EVENT, {
            "order_id": order["external_id"], "number": order["number"], "status": status,
            "previous_status": order["payment_status"], "amount": money.to_string(amount, order["currency"]),
            "refunded": money.to_string(refunded, order["currency"]),
        }, order_id=order_id, now=now)
    return amount


async def latest_refund(order_id: int) -> int | None:
    """The id of the order's latest refund (None: none yet); joins the caller's scope."""
    async with engine.read():
        row = await PaymentRefund.select(PaymentRefund.id).where(PaymentRefund.order == order_id).order_by(
            PaymentRefund.id, ascending=False).first()
    return int(row["id"]) if row else None
