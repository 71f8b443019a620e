"""Transactional emails: one row per message in an outbox, sent by a worker. Schema only."""

from piccolo.columns import Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from orderhub.db.queue_columns import ShopperMessageColumns


class EmailMessage(ShopperMessageColumns, Table, tablename="email_messages"):
    """Shared columns: db/queue_columns.ShopperMessageColumns (states: pending -> sending -> sent |
    pending (retry) | dead; suppressed (throttled) and skipped (stale, no recipient) never go out)."""

    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    recipient = Varchar(length=254)
    #: stable across every (re)send, "<hex@host>", so a repeat after a crash can be recognised
    message_id = Varchar(length=200, unique=True)
    #: "<merchant>:<order>:<kind>:<what changed>": the same state change never mails twice
    key = Varchar(length=300, unique=True)
    created_at = Timestamptz()
    #: the message as rendered for sending (what the shopper got; the admin's email log shows it);
    #: rendered_at is None until then, and for rows written before messages were kept
    rendered_subject = Text(default="")
    rendered_html = Text(default="")
    rendered_locale = Varchar(length=8, default="")
    rendered_at = Timestamptz(null=True, default=None)
