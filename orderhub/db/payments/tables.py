"""Refunds of an order's payment: schema only. The payment's state lives on the order row
(orders.payment_status, paid_at, payment_deadline, refunded_minor)."""

from piccolo.columns import BigInt, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order


class PaymentRefund(Table, tablename="payment_refunds"):
    """Money given back on an order (a cancellation, a return): one row per refund."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    amount_minor = BigInt()
    #: why, in the caller's words (a cancellation reason, a return number)
    reason = Varchar(length=200, default="")
    #: who asked: cancellation | return | storefront | admin
    source = Varchar(length=32)
    #: the payment's status after this refund
    status_after = Varchar(length=24)
    created_at = Timestamptz()
