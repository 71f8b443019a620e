"""Receipt numbers, the 領収書 details, the issue log and cached documents: schema only."""

from piccolo.columns import JSON, BigInt, Boolean, Bytea, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order


class ReceiptCounter(Table, tablename="receipt_counters"):
    """The last receipt number a merchant issued; bumped inside the write transaction that
    creates the receipt, so numbers have no gaps."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    #: "<merchant id>"
    key = Varchar(length=32, unique=True)
    last_number = Integer(default=0)


class Receipt(Table, tablename="receipts"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    #: "<order id>": one receipt per order
    order_key = Varchar(length=32, unique=True)
    #: "<merchant id>:<number>"
    key = Varchar(length=64, unique=True)
    number = Integer()
    #: 領収書 mode: addressee (宛名) and purpose (但し書き), entered once by the shopper
    addressee = Varchar(length=100, default="")
    purpose = Varchar(length=100, default="")
    formal = Boolean(default=False)
    formal_issued_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    #: voided by the merchant (無効): kept, with its number, and order_key freed for the reissue
    voided_at = Timestamptz(null=True, default=None)
    #: the id of the voided receipt this one reissues
    replaces = Integer(null=True, default=None)


class ReceiptIssue(Table, tablename="receipt_issues"):
    """Every time a receipt left the server: first issue or reissue (再発行)."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    receipt = ForeignKey(references=Receipt, index=True)
    kind = Varchar(length=16)  # issue | reissue
    document = Varchar(length=32, default="receipt")
    locale = Varchar(length=16, default="")
    at = Timestamptz()


class CachedDocument(Table, tablename="cached_documents"):
    """A finished PDF, keyed by everything it shows."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    #: sha256 of (document kind, order id and version, merchant version, locale, reissue state, ...)
    key = Varchar(length=64, unique=True)
    order = ForeignKey(references=Order, null=True, index=True)
    kind = Varchar(length=32)
    pdf = Bytea()
    size = Integer(default=0)
    created_at = Timestamptz()


class CreditNote(Table, tablename="credit_notes"):
    """A refund's credit note (適格返還請求書): issued when money is refunded on an order whose
    receipt had been issued. Numbered per merchant (C-000001), in the receipts' counter table."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    #: "<merchant id>:<number>"
    key = Varchar(length=64, unique=True)
    #: "<refund id>": one credit note per refund
    refund_key = Varchar(length=32, unique=True)
    number = Integer()
    receipt = ForeignKey(references=Receipt, null=True, index=True)
    amount_minor = BigInt()
    #: [{"rate", "gross_minor", "base_minor", "tax_minor"}] of the refunded amount
    by_rate = JSON(default="[]")
    #: the original transaction (when the money was received) and the refund
    transaction_at = Timestamptz()
    refunded_at = Timestamptz()
    reason = Varchar(length=200, default="")
    created_at = Timestamptz()


class DocumentRecord(Table, tablename="document_records"):
    """The issue log (電子帳簿保存法): one row per numbered document issued, searchable by date,
    amount and counterparty; a voided document keeps its row, marked."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    #: receipt | credit
    kind = Varchar(length=16)
    #: the id of the receipt or credit note
    document_id = Integer()
    number_label = Varchar(length=32)
    amount_minor = BigInt()
    currency = Varchar(length=3)
    #: the shopper's name, or the 宛名 once a 領収書 names one
    counterparty = Varchar(length=200, default="")
    issued_at = Timestamptz(index=True)
    voided_at = Timestamptz(null=True, default=None)
