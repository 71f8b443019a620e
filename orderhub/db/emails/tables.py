"""Transactional emails: one row per message in an outbox, sent by a worker. Schema only."""

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant


class EmailMessage(Table, tablename="email_messages"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    order_id = Integer(null=True, default=None, index=True)
    #: the event that asked for it (shipment.delivered, pickup.ready, ...) and what it says
    event = Varchar(length=60)
    payload = JSON(default="{}")
    #: the message template: order_confirmed, shipped, arriving, delayed, exception, delivered, ...
    kind = Varchar(length=40)
    #: the shipment it is about (throttling counts per shipment), "" otherwise
    shipment = Varchar(length=100, default="")
    recipient = Varchar(length=254)
    locale = Varchar(length=8, default="en")
    #: stable across every (re)send, "<hex@host>", so a repeat after a crash can be recognised
    message_id = Varchar(length=200, unique=True)
    #: "<merchant>:<order>:<kind>:<what changed>": the same state change never mails twice
    key = Varchar(length=300, unique=True)
    #: pending -> sending -> sent | pending (retry) | dead; suppressed (throttled) and skipped (stale,
    #: no recipient) never go out
    state = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    #: when it may go out (quiet hours and retries push it); while sending: until the lease ends
    next_attempt_at = Timestamptz(index=True)
    last_error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    #: the message as rendered for sending (what the shopper got; the admin's email log shows it);
    #: rendered_at is None until then, and for rows written before messages were kept
    rendered_subject = Text(default="")
    rendered_html = Text(default="")
    rendered_text = Text(default="")
    rendered_locale = Varchar(length=8, default="")
    rendered_at = Timestamptz(null=True, default=None)
