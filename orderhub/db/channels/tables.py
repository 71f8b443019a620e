"""Channels beside email (LINE, SMS, browser push): the outbox of short messages, who may be reached
on which channel for an order, the consent log, and each merchant's channel accounts. Schema only."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant


class ChannelOutboxMessage(Table, tablename="channel_messages"):
    """One row per message on one channel to one recipient (written in the change's transaction)."""

    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    order_id = Integer(null=True, default=None, index=True)
    #: line | sms | push (rules.CHANNELS)
    channel = Varchar(length=16)
    event = Varchar(length=60)
    payload = JSON(default="{}")
    #: the email kind of the event (order_confirmed, shipped, ...): the short text and the throttle use it
    kind = Varchar(length=40)
    shipment = Varchar(length=100, default="")
    #: the recipient reference: a LINE user id, an E.164 phone number, a push subscription id
    recipient = Varchar(length=200)
    locale = Varchar(length=8, default="en")
    #: "<merchant>:<order>:<kind>:<what changed>:<channel>:<recipient>": one message per change and recipient
    key = Varchar(length=400, unique=True)
    #: pending -> sending -> sent | pending (retry) | failed (permanent refusal) | dead (out of attempts);
    #: suppressed (throttled) and skipped (stale, order gone) never go out
    state = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    last_error = Text(default="")
    created_at = Timestamptz(index=True)
    sent_at = Timestamptz(null=True, default=None)
    #: the text as sent (the merchant's log shows it) and the provider's id for it
    rendered_text = Text(default="")
    provider_id = Varchar(length=200, default="")


class ChannelRecipient(Table, tablename="channel_recipients"):
    """Who hears about an order on a channel: a linked LINE user, a phone with consent."""

    id: Serial
    merchant = ForeignKey(references=Merchant, index=True)
    order_id = Integer(index=True)
    channel = Varchar(length=16)
    #: "<merchant>:<order>:<channel>": one per order and channel
    key = Varchar(length=200, unique=True)
    #: the LINE user id or the E.164 phone number ("" while a LINE link waits for its webhook)
    recipient = Varchar(length=200, default="")
    active = Boolean(default=False)
    #: a LINE account link in progress: the nonce LINE sends back in its accountLink event
    nonce = Varchar(length=100, null=True, default=None, unique=True)
    updated_at = Timestamptz()


class ChannelConsent(Table, tablename="channel_consents"):
    """The consent log: every opt-in and withdrawal with its time and source (hub, storefront, line)."""

    id: Serial
    merchant = ForeignKey(references=Merchant, index=True)
    order_id = Integer(index=True)
    channel = Varchar(length=16)
    #: consent | withdrawal
    action = Varchar(length=16)
    #: hub | storefront | line | provider
    source = Varchar(length=16)
    at = Timestamptz()


class ChannelAccount(Table, tablename="channel_accounts"):
    """A merchant's account on a channel: on or off, which events it carries, and its credentials
    encrypted at rest (Fernet with a key derived from the secret key; never shown back in full)."""

    id: Serial
    merchant = ForeignKey(references=Merchant, index=True)
    channel = Varchar(length=16)
    #: "<merchant>:<channel>"
    key = Varchar(length=100, unique=True)
    enabled = Boolean(default=False)
    events = JSON(default="[]")
    credentials = Text(default="")
    #: what the settings page shows of each credential: {"field": "…abcd"}
    hints = JSON(default="{}")
    updated_at = Timestamptz()
