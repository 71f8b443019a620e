"""Prepaid return labels and the merchants' label-provider accounts: schema only."""

from piccolo.columns import BigInt, Bytea, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns.tables import ReturnRequest


class ReturnLabel(Table, tablename="return_labels"):
    """One label per return, made by the label job (outbox-like: pending -> creating -> created | failed)."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    #: one row per return: the unique key is what makes "never two labels" hold
    request = ForeignKey(references=ReturnRequest, unique=True)
    #: easypost, shippo, jp_slip
    provider = Varchar(length=16)
    #: pending, creating (claimed), created, failed
    state = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    last_error = Text(default="")
    #: the key sent with every provider call for this label (the same on every attempt)
    idempotency_key = Varchar(length=64)
    #: the provider's shipment and chosen rate, kept after the first step so a retry buys that one
    provider_shipment_id = Varchar(length=100, default="")
    provider_rate_id = Varchar(length=100, default="")
    carrier = Varchar(length=64, default="")
    tracking_number = Varchar(length=100, default="", index=True)
    label_url = Text(default="")
    label_pdf = Bytea(default=b"")
    qr_url = Text(default="")
    #: the 着払い slip's reference number (jp_slip)
    reference = Varchar(length=32, default="")
    cost_minor = BigInt(default=0)
    currency = Varchar(length=3, default="")
    #: the carrier's latest status on this parcel (db/shipping statuses), "" before any event
    tracking_status = Varchar(length=32, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class LabelAccount(Table, tablename="return_label_accounts"):
    """A merchant's label provider: which one, its credentials sealed (db/vault.py), the JP carrier."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, unique=True)
    #: "" (no labels), easypost, shippo, jp_slip
    provider = Varchar(length=16, default="")
    credentials = Text(default="")
    #: the 着払い slip's carrier: yamato, sagawa, japan_post
    jp_carrier = Varchar(length=16, default="")
    updated_at = Timestamptz()
