"""Outbound webhooks: the merchant's endpoints and every delivery with its log. Schema only."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant


class WebhookEndpoint(Table, tablename="webhook_endpoints"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    url = Varchar(length=1000)
    secret = Varchar(length=128)
    #: event names this endpoint wants; ["*"] for all
    events = JSON(default='["*"]')
    active = Boolean(default=True)
    created_at = Timestamptz()


class WebhookDelivery(Table, tablename="webhook_deliveries"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    endpoint = ForeignKey(references=WebhookEndpoint, index=True)
    #: stable id of the event, sent in the body so a receiver can drop repeats
    event_id = Varchar(length=40, unique=True)
    event = Varchar(length=60)
    order_id = Integer(null=True, default=None)
    payload = JSON(default="{}")
    #: pending -> sending -> delivered | pending (retry) | dead
    state = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    last_status = Integer(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    delivered_at = Timestamptz(null=True, default=None)
