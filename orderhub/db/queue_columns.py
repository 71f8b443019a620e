"""The columns every outbox table shares, as Piccolo column mixins (Piccolo copies a mixin's columns
into each table that inherits them). Existing migrations are unchanged: these are the definitions
those tables already had, written once.

- `OutboxColumns` (webhook deliveries, emails, channel messages): who it is for, what happened, and
  the queue's state, attempts, when it is due (or its lease ends) and the last error; what
  db/queue.py works on.
- `ShopperMessageColumns` (emails, channel messages): a message to a shopper about an order: its
  kind, shipment (the in-transit throttle), language, when it was sent and its text as sent."""

from piccolo.columns import JSON, ForeignKey, Integer, Text, Timestamptz, Varchar

from orderhub.db.merchants.tables import Merchant


class OutboxColumns:
    merchant = ForeignKey(references=Merchant, index=True)
    #: the event that asked for it (shipment.delivered, pickup.ready, ...) and what it says
    event = Varchar(length=60)
    payload = JSON(default="{}")
    #: pending -> sending -> (the area's outcomes); db/queue
    state = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    #: when it may go out (quiet hours and retries push it); while sending: until the lease ends
    next_attempt_at = Timestamptz(index=True)
    last_error = Text(default="")


class ShopperMessageColumns(OutboxColumns):
    order_id = Integer(null=True, default=None, index=True)
    #: the message template: order_confirmed, shipped, arriving, delayed, exception, delivered, ...
    kind = Varchar(length=40)
    #: the shipment it is about (throttling counts per shipment), "" otherwise
    shipment = Varchar(length=100, default="")
    locale = Varchar(length=8, default="en")
    sent_at = Timestamptz(null=True, default=None)
    #: the text as sent (the merchant's log shows it)
    rendered_text = Text(default="")
