"""Surveys (one per order, also the frequency cap's memory), product reviews and their photos:
schema only."""

from piccolo.columns import Boolean, Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order, OrderLine


class Survey(Table, tablename="feedback_surveys"):
    """The order's survey: given (invited or answered), capped (the shopper's email had another
    survey within the cap) or skipped. Answers are kept as they come (a score alone is an answer).
    `review_invited_at`: the review invitation was dealt with (sent, or not needed)."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    #: one survey per order: str(order id)
    key = Varchar(length=64, unique=True)
    #: sha256 of the normalised shopper email (the cap across orders)
    email_key = Varchar(length=64, index=True, default="")
    #: "given" | "capped" (the email had another survey within the cap) | "skipped" (never asked: too old)
    state = Varchar(length=16, default="given")
    opened_at = Timestamptz()
    invited_at = Timestamptz(null=True, default=None)
    nps = Integer(null=True, default=None)
    csat = Integer(null=True, default=None)
    why = Text(default="")
    contact_requested = Boolean(default=False)
    contacted_at = Timestamptz(null=True, default=None)
    contacted_by = Varchar(length=254, default="")
    answered_at = Timestamptz(null=True, default=None, index=True)
    updated_at = Timestamptz()
    review_invited_at = Timestamptz(null=True, default=None)


class Review(Table, tablename="feedback_reviews"):
    """A shopper's review of one order line; unique per line per order."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    line = ForeignKey(references=OrderLine, index=True)
    #: f"{order id}:{line id}"
    key = Varchar(length=300, unique=True)
    product_id = Varchar(length=200, default="", index=True)
    product_title = Varchar(length=300, default="")
    author = Varchar(length=100, default="")
    locale = Varchar(length=16, default="")
    stars = Integer()
    title = Varchar(length=200, default="")
    body = Text(default="")
    #: pending | published | rejected | hidden
    status = Varchar(length=16, default="pending", index=True)
    verified = Boolean(default=False)
    reply = Text(default="")
    replied_at = Timestamptz(null=True, default=None)
    moderated_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReviewPhoto(Table, tablename="feedback_review_photos"):
    """A picture re-encoded by orderhub.images (no metadata survives)."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    review = ForeignKey(references=Review, index=True)
    content_type = Varchar(length=32)
    data = Bytea()
    width = Integer(default=0)
    height = Integer(default=0)
    created_at = Timestamptz()
