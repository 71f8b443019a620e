"""Merchants, their stores, API keys and users: schema only."""

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Merchant(Table, tablename="merchants"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    legal_name = Varchar(length=200, default="")
    locale = Varchar(length=16, default="en-US")
    currency = Varchar(length=3, default="USD")
    timezone = Varchar(length=64, default="UTC")
    prices_include_tax = Boolean(default=False)
    tax_registration_number = Varchar(length=32, null=True, default=None)
    storefront_url = Varchar(length=500, default="")
    address = JSON(default="{}")
    support = JSON(default="{}")
    brand = JSON(default="{}")
    policy = JSON(default="{}")
    settings = JSON(default="{}")
    webhook_secret = Varchar(length=128)
    #: the shopper-facing words in Japanese and English (orderhub.db.texts): name, support hours
    texts = JSON(default="{}")
    #: bumped on every settings or brand change; part of document cache keys
    version = Integer(default=1)
    created_at = Timestamptz()


class ApiKey(Table, tablename="api_keys"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    #: sha256 of the key; keys carry 256 random bits, so a fast hash is enough
    key_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)
    label = Varchar(length=100, default="")
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class Store(Table, tablename="stores"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    #: "<merchant id>:<code>", unique per merchant
    key = Varchar(length=100, unique=True)
    code = Varchar(length=64)
    name = Varchar(length=200)
    timezone = Varchar(length=64)
    address = JSON(default="{}")
    hours = JSON(default="[]")
    pickup_instructions = Text(default="")
    what_to_bring = JSON(default="[]")
    curbside = JSON(default="{}")
    hold_days = Integer(default=7)
    updated_at = Timestamptz()
    #: name, pickup instructions, what to bring, opening-hours note, curbside instructions in Japanese
    #: and English (orderhub.db.texts)
    texts = JSON(default="{}")


class User(Table, tablename="users"):
    id: Serial  # Piccolo's implicit primary key, declared for type checkers
    merchant = ForeignKey(references=Merchant, index=True)
    #: "<merchant id>:<lower-cased email>"
    key = Varchar(length=300, unique=True)
    email = Varchar(length=254)
    role = Varchar(length=16)  # owner | staff
    store_code = Varchar(length=64, null=True, default=None)
    password_hash = Varchar(length=200)
    created_at = Timestamptz()
    disabled_at = Timestamptz(null=True, default=None)


class UserInvitation(Table, tablename="user_invitations"):
    """An owner's invitation to join the merchant's admin: a one-time link (only its hash is kept)."""
    id: Serial  # Piccolo's implicit primary key, declared for type checkers

    merchant = ForeignKey(references=Merchant, index=True)
    email = Varchar(length=254)
    role = Varchar(length=16)  # owner | staff
    store_code = Varchar(length=64, null=True, default=None)
    token_hash = Varchar(length=64, unique=True)
    invited_by = Integer()
    created_at = Timestamptz()
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
