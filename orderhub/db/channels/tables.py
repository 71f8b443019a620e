"""Channels beside email (LINE, SMS, browser push): the outbox of short messages, who may be reached
on which channel for an order, the consent log, and each merchant's channel accounts. Schema only."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.merchants.tables import Merchant
from orderhub.db.queue_columns import ShopperMessageColumns


class ChannelOutboxMessage(ShopperMessageColumns, Table, tablename="channel_messages"):
    """One row per message on one channel to one recipient (written in the change's transaction).
    Shared columns: db/queue_columns.ShopperMessageColumns (states: pending -> sending -> sent |
    pending (retry) | failed (permanent refusal) | dead (out of attempts); suppressed (throttled) and
    skipped (stale, order gone) never go out)."""

    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    #: line | sms | push (rules.CHANNELS)
    channel = Varchar(length=16)
    #: the recipient reference: a LINE user id, an E.164 phone number, a push subscription id
    recipient = Varchar(length=200)
    #: "<merchant>:<order>:<kind>:<what changed>:<channel>:<recipient>": one message per change and recipient
    key = Varchar(length=400, unique=True)
    created_at = Timestamptz(index=True)
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
