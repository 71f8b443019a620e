"""Shipments, their carrier events, and tracking-page views: schema only."""

from piccolo.columns import JSON, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order


class Shipment(Table, tablename="shipments"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    #: "<order id>:<shipment id>"
    key = Varchar(length=300, unique=True)
    external_id = Varchar(length=100)
    carrier = Varchar(length=32)
    tracking_number = Varchar(length=64)
    #: "<merchant id>:<carrier>:<normalized tracking number>" (events find their shipment by it)
    tracking_key = Varchar(length=200, index=True)
    #: [{"line_id": "L1", "quantity": 1}, ...]
    lines = JSON(default="[]")
    shipped_at = Timestamptz(null=True, default=None)
    #: the first estimate the shopper was given, and the current one
    first_estimate = Date(null=True, default=None)
    estimate = Date(null=True, default=None)
    status = Varchar(length=32, default="pending")
    substatus = Varchar(length=40, default="")
    #: occurred_at of the event that set the status
    status_at = Timestamptz(null=True, default=None)
    #: occurred_at of the newest event of any kind (a "scan")
    last_event_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    body_hash = Varchar(length=64, default="")
    #: pull mode: when the poller last asked the provider
    polled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    #: the carrier's service level (`"takkyubin"`, `"ground"`), as the merchant sends it
    service = Varchar(length=64, default="")
    #: "<merchant>:<carrier>:<service>:<origin region>:<destination region>" (rules.lane_key): the
    #: deliveries our own transit prediction learns from, read through this index
    lane = Varchar(length=300, default="", index=True)
    #: business days it took, set once delivered (rules.transit_days_taken)
    transit_days = Integer(null=True, default=None)


class TrackingEvent(Table, tablename="tracking_events"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    shipment = ForeignKey(references=Shipment, index=True)
    #: "<shipment id>:<event id>": the same event stored once, whatever races
    key = Varchar(length=300, unique=True)
    event_id = Varchar(length=200)
    status = Varchar(length=32)
    substatus = Varchar(length=40, default="")
    occurred_at = Timestamptz()
    location = Varchar(length=200, default="")
    #: the carrier's own words and code, shown beside ours
    message = Varchar(length=500, default="")
    carrier_code = Varchar(length=64, default="")
    estimated_delivery = Date(null=True, default=None)
    #: api, webhook, aftership, easypost, poller
    source = Varchar(length=16, default="api")
    received_at = Timestamptz()


class TrackingView(Table, tablename="tracking_views"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    viewed_at = Timestamptz()
