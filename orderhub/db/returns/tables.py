"""Return requests, their items, photos, timeline and the wizard's drafts: schema only."""

from piccolo.columns import JSON, BigInt, Boolean, Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order, OrderLine


class ReturnRequest(Table, tablename="return_requests"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    #: "<order id>:<idempotency key>": submitting twice makes one return
    key = Varchar(length=200, unique=True)
    number = Varchar(length=64, unique=True)
    status = Varchar(length=16, default="requested", index=True)
    reason = Varchar(length=32)
    comment = Text(default="")
    resolution = Varchar(length=16)
    method = Varchar(length=16)
    store_code = Varchar(length=64, default="")
    exchange = JSON(default="{}")
    keep_item = Boolean(default=False)
    currency = Varchar(length=3)
    total_minor = BigInt(default=0)
    bonus_minor = BigInt(default=0)
    fee_minor = BigInt(default=0)
    shipping_minor = BigInt(default=0)
    breakdown = JSON(default="{}")
    #: the code at the drop-off point or store counter (QR)
    drop_off_code = Varchar(length=32, default="")
    note = Text(default="")
    #: the parcel on its way back (set when the return moves to in_transit)
    carrier = Varchar(length=64, default="")
    tracking_number = Varchar(length=100, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    #: received at a store counter: {"at", "by", "store", "before", "refunded", "order_status"} (what an
    #: undo within the window puts back); {} otherwise
    counter = JSON(default="{}")


class ReturnItem(Table, tablename="return_items"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    request = ForeignKey(references=ReturnRequest, index=True)
    line = ForeignKey(references=OrderLine, index=True)
    line_id = Varchar(length=100)
    title = Varchar(length=300)
    variant = Varchar(length=200, default="")
    quantity = Integer()
    amount_minor = BigInt(default=0)
    tax_minor = BigInt(default=0)
    tax_rate = Varchar(length=16, default="0")
    #: pending, received
    reception = Varchar(length=16, default="pending")
    #: pending, accepted, rejected
    acceptance = Varchar(length=16, default="pending")
    #: resellable, damaged, missing (graded at the counter); "" when not graded
    grade = Varchar(length=16, default="")


class ReturnEvent(Table, tablename="return_events"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    request = ForeignKey(references=ReturnRequest, index=True)
    status = Varchar(length=16)
    note = Text(default="")
    at = Timestamptz()


class ReturnPhoto(Table, tablename="return_photos"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    request = ForeignKey(references=ReturnRequest, null=True, default=None, index=True)
    #: the draft key while the wizard is open; cleared when the return is submitted
    draft_key = Varchar(length=64, default="", index=True)
    content_type = Varchar(length=32)
    data = Bytea()
    created_at = Timestamptz()


class VariantStock(Table, tablename="return_variant_stock"):
    """Units of a catalog variant held for exchanges and replacements. What is on hand comes from the
    catalog (`variants[].stock`); `reserved` only ever moves inside a conditional UPDATE."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    #: "<merchant id>:<sku>"
    key = Varchar(length=200, unique=True)
    sku = Varchar(length=100)
    reserved = Integer(default=0)
    updated_at = Timestamptz()


class Replacement(Table, tablename="return_replacements"):
    """What goes out to the shopper instead: an exchange's new variant or a claim's replacement."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    #: "return:<id>" or "claim:<id>": one replacement per source
    key = Varchar(length=100, unique=True)
    number = Varchar(length=64, default="")
    #: [{"line_id", "title", "sku", "option", "quantity", "held": bool}]
    items = JSON(default="[]")
    #: held (stock reserved), released (given back), issued (sent out)
    status = Varchar(length=16, default="held")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Claim(Table, tablename="claims"):
    """Damaged, missing or wrong items: nothing is sent back; resolved by refund, replacement or both."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    #: "<order id>:<idempotency key>"
    key = Varchar(length=200, unique=True)
    number = Varchar(length=64, unique=True)
    #: damaged, missing, wrong_item
    kind = Varchar(length=16)
    description = Text(default="")
    #: open, resolved
    status = Varchar(length=16, default="open", index=True)
    #: refund, replacement, both ("" while open)
    resolution = Varchar(length=16, default="")
    note = Text(default="")
    currency = Varchar(length=3)
    #: what a refund would give back (the return rules, shipping included for the merchant's fault)
    refundable_minor = BigInt(default=0)
    #: what was refunded on resolution
    refunded_minor = BigInt(default=0)
    shipping_minor = BigInt(default=0)
    breakdown = JSON(default="{}")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)


class ClaimItem(Table, tablename="claim_items"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    claim = ForeignKey(references=Claim, index=True)
    line = ForeignKey(references=OrderLine, index=True)
    line_id = Varchar(length=100)
    title = Varchar(length=300)
    variant = Varchar(length=200, default="")
    sku = Varchar(length=100, default="")
    quantity = Integer()
    amount_minor = BigInt(default=0)
    tax_minor = BigInt(default=0)


class ClaimPhoto(Table, tablename="claim_photos"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    claim = ForeignKey(references=Claim, index=True)
    content_type = Varchar(length=32)
    data = Bytea()
    created_at = Timestamptz()


class ReturnDraft(Table, tablename="return_drafts"):
    """The wizard's answers so far, one draft per order (steps work without JavaScript)."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    order = ForeignKey(references=Order, index=True)
    key = Varchar(length=64, unique=True)
    idempotency_key = Varchar(length=64)
    data = JSON(default="{}")
    updated_at = Timestamptz()
