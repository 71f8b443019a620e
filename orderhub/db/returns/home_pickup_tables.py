"""Home pickup bookings of returns (issue 20 item 3): schema only. Every booking, reschedule and
cancellation keeps its row (the history); at most one row per return is active (`active_for`)."""

from piccolo.columns import JSON, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order
from orderhub.db.returns.tables import ReturnRequest


class ReturnPickup(Table, tablename="return_pickups"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    order = ForeignKey(references=Order, index=True)
    request = ForeignKey(references=ReturnRequest, index=True)
    #: the return's id while this booking is the active one, NULL once replaced or cancelled: the unique
    #: index keeps one active booking per return, even under parallel posts
    active_for = Integer(null=True, default=None, unique=True)
    #: active, replaced (rescheduled: the next row is the active one), cancelled
    status = Varchar(length=16, default="active")
    carrier = Varchar(length=32)
    day = Date()
    #: "HH:MM-HH:MM" in the merchant's time zone
    slot = Varchar(length=16)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    #: the merchant's time zone when booked (the words of the slot)
    timezone = Varchar(length=64)
    #: "order" (the order's delivery address) or "other" (typed by the shopper)
    address_source = Varchar(length=8, default="order")
    address = JSON(default="{}")
    notes = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
