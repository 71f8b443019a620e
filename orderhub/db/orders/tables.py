"""Catalog products, orders and order lines: schema only. Money is stored in minor units."""

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant


class Product(Table, tablename="products"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    #: "<merchant id>:<external id>"
    key = Varchar(length=300, unique=True)
    external_id = Varchar(length=200)
    title = Varchar(length=300)
    url = Varchar(length=1000, default="")
    image_url = Varchar(length=1000, default="")
    variants = JSON(default="[]")
    related = JSON(default="[]")
    in_stock = Boolean(default=True)
    updated_at = Timestamptz()
    #: title and variant labels in Japanese and English (orderhub.db.texts):
    #: {"title": {"ja", "en"}, "options": {"<sku>": {"ja", "en"}}}
    texts = JSON(default="{}")


class Order(Table, tablename="orders"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    #: "<merchant id>:<external id>"
    key = Varchar(length=300, unique=True)
    external_id = Varchar(length=200)
    number = Varchar(length=64, index=True)
    placed_at = Timestamptz()
    currency = Varchar(length=3)
    locale = Varchar(length=16)
    prices_include_tax = Boolean()
    customer = JSON(default="{}")
    customer_email = Varchar(length=254, default="")
    shipping_address = JSON(null=True, default=None)
    fulfillment = JSON(default="{}")
    fulfillment_type = Varchar(length=16, default="ship")
    promised_date = Date(null=True, default=None)
    discounts = JSON(default="[]")
    payment = JSON(default="{}")
    #: the payment's state (orderhub.db.payments.rules.STATUSES), when it was paid, by when a pending
    #: konbini / bank transfer must be paid, and how much was refunded: columns, so lists can filter
    payment_status = Varchar(length=24, default="paid")
    paid_at = Timestamptz(null=True, default=None)
    payment_deadline = Timestamptz(null=True, default=None)
    refunded_minor = BigInt(default=0)
    #: money paid in after the order (an exchange's dearer difference, collected by the storefront):
    #: what can be refunded rises by it (payments.rules.refund_left)
    paid_in_minor = BigInt(default=0)
    shipping_minor = BigInt(default=0)
    shipping_tax_rate = Varchar(length=16, default="0")
    subtotal_minor = BigInt(default=0)
    discount_minor = BigInt(default=0)
    tax_minor = BigInt(default=0)
    total_minor = BigInt(default=0)
    #: what the storefront sent, for idempotent PUTs (same body -> no change)
    body_hash = Varchar(length=64, default="")
    #: unfulfilled, partially_shipped, shipped, delivered, ready_for_pickup, picked_up, cancelled, returned
    #: (indexed: the delay job reads the orders still to ship, a few among a shop's history)
    fulfillment_status = Varchar(length=32, default="unfulfilled", index=True)
    cancelled_at = Timestamptz(null=True, default=None)
    #: sha256 of the current hub token; revoking bumps token_generation and changes it
    token_hash = Varchar(length=64, unique=True)
    token_generation = Integer(default=1)
    #: when the current hub token was issued by a revoke or by the lookup replacing an expired link (None:
    #: the order's first link); a merchant's link expiry counts from it too (rules.link_expires_at)
    link_issued_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    #: bumped by database triggers whenever anything a hub page shows changes (this row, its lines,
    #: shipments and events, pickup, returns, claims, feedback, receipts): the page cache's key
    #: (orderhub/db/orders/versions.py)
    hub_version = BigInt(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    #: the shopper's current delivery preferences before shipment (orderhub.db.orders.change_rules.delivery):
    #: {"window", "date", "safe_place", "instructions"}; the address itself is `shipping_address`
    delivery = JSON(default="{}")
    #: the expected ship date the last `order.delayed` announced (db/orders/delays.py); None: none sent
    delay_announced_for = Date(null=True, default=None)


class OrderLine(Table, tablename="order_lines"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    order = ForeignKey(references=Order, index=True)
    #: "<order id>:<line id>"
    key = Varchar(length=300, unique=True)
    line_id = Varchar(length=100)
    position = Integer(default=0)
    sku = Varchar(length=100, default="")
    product_id = Varchar(length=200, default="")
    title = Varchar(length=300)
    variant = Varchar(length=200, default="")
    quantity = Integer()
    unit_price_minor = BigInt()
    discount_minor = BigInt(default=0)
    tax_rate = Varchar(length=16, default="0")
    final_sale = Boolean(default=False)
    image_url = Varchar(length=1000, default="")
    fulfilled_quantity = Integer(default=0)
    requested_quantity = Integer(default=0)
    received_quantity = Integer(default=0)
    #: units cancelled before shipment (by the shopper's accepted cancellation or by the storefront);
    #: they leave returns, reviews and cross-sells
    cancelled_quantity = Integer(default=0)
    #: units the storefront has not got in stock yet (never more than are still to ship: rules.line_backorder)
    backordered_quantity = Integer(default=0)
    #: when the storefront expects to ship them (a day in the merchant's time zone)
    expected_ship_date = Date(null=True, default=None)


class Cancellation(Table, tablename="order_cancellations"):
    """A cancellation of the whole order or of some units before shipment: asked by the shopper on the
    hub (requested -> accepted | refused, or accepted at once when the merchant cancels instantly) or
    reported by the storefront (accepted). `items`: [{"line_id", "quantity"}]; `refund_minor`: what goes
    back to the shopper (the merchant may override it when accepting). orderhub/db/orders/cancellation.py"""

    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    order = ForeignKey(references=Order, index=True)
    #: "shopper" or "storefront"
    source = Varchar(length=16)
    #: requested, accepted, refused (rules.CANCEL_STATES)
    status = Varchar(length=16)
    items = JSON(default="[]")
    #: every unit still to ship is cancelled: the order is cancelled
    whole = Boolean(default=False)
    reason = Varchar(length=32, default="")
    comment = Varchar(length=500, default="")
    #: the merchant's note when accepting or refusing (shown to the shopper)
    note = Varchar(length=500, default="")
    refund_minor = BigInt(default=0)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class OrderChange(Table, tablename="order_changes"):
    """A shopper's delivery change before shipment (orderhub.db.orders.changes): address, delivery
    window or safe place, its old and new values, pending -> applied | refused."""

    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    order = ForeignKey(references=Order, index=True)
    merchant = ForeignKey(references=Merchant, index=True)
    #: the id the merchant answers with (`chg_` + 16 hex digits, random)
    change_id = Varchar(length=40, unique=True)
    kind = Varchar(length=16)
    old_value = JSON(default="{}")
    new_value = JSON(default="{}")
    state = Varchar(length=16, default="pending")
    note = Varchar(length=500, default="")
    #: who asked (shopper) and who decided (shopper: applied at once; merchant)
    requested_by = Varchar(length=16, default="shopper")
    decided_by = Varchar(length=16, default="")
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
