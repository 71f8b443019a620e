"""Outbound webhooks: the merchant's endpoints and every delivery with its log. Schema only."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.queue_columns import OutboxColumns


class WebhookEndpoint(Table, tablename="webhook_endpoints"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    url = Varchar(length=1000)
    secret = Varchar(length=128)
    #: event names this endpoint wants; ["*"] for all
    events = JSON(default='["*"]')
    active = Boolean(default=True)
    created_at = Timestamptz()


class WebhookDelivery(OutboxColumns, Table, tablename="webhook_deliveries"):
    """Shared columns: db/queue_columns.OutboxColumns (states: pending -> sending -> delivered |
    pending (retry) | dead)."""

    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    endpoint = ForeignKey(references=WebhookEndpoint, index=True)
    #: stable id of the event, sent in the body so a receiver can drop repeats
    event_id = Varchar(length=40, unique=True)
    order_id = Integer(null=True, default=None)
    last_status = Integer(null=True, default=None)
    created_at = Timestamptz()
    delivered_at = Timestamptz(null=True, default=None)
