"""Exchanges for something else: schema only (its own module and migration, beside the returns tables)."""

from piccolo.columns import JSON, BigInt, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns.tables import ReturnRequest


class ReturnExchange(Table, tablename="return_exchanges"):
    """The variants a return is exchanged for (any product), the settlement and the difference's payment."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    request = ForeignKey(references=ReturnRequest, index=True)
    #: "return:<id>": one exchange per return
    key = Varchar(length=100, unique=True)
    currency = Varchar(length=3)
    #: [exchange_rules.Pick.stored()]
    items = JSON(default="[]")
    #: exchange_rules.Settlement.stored()
    settlement = JSON(default="{}")
    to_pay_minor = BigInt(default=0)
    refund_minor = BigInt(default=0)
    #: not_needed, awaiting_link, due, paid, withdrawn, refunded (exchange_rules.PAYMENT_STATES)
    payment_status = Varchar(length=16, default="not_needed")
    payment_url = Varchar(length=2000, default="")
    paid_at = Timestamptz(null=True, default=None)
    #: when the cheaper choice's difference went back to the payment
    refunded_at = Timestamptz(null=True, default=None)
    #: a paid difference given back because the return was withdrawn (payment_status refunded)
    difference_refunded_minor = BigInt(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()
