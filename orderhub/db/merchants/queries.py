"""Reads of the merchants area, as typed views: a merchant with its settings, a signed-in account,
the merchant's stores and API keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orderhub.db import engine
from orderhub.db.keys import scoped
from orderhub.db.merchants import rules
from orderhub.db.merchants.tables import ApiKey, Merchant, Store, User


def _json(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class MerchantView:
    """A merchant with its settings (JSON columns loaded; a missing one is {})."""

    id: int
    slug: str
    name: str
    legal_name: str
    locale: str
    currency: str
    timezone: str
    prices_include_tax: bool
    tax_registration_number: str | None
    storefront_url: str
    address: dict[str, Any]
    support: dict[str, Any]
    brand: dict[str, Any]
    policy: dict[str, Any]
    settings: dict[str, Any]
    version: int
    #: the merchant's words per language (orderhub.db.texts): name, support hours
    texts: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> MerchantView:
        return cls(
            id=row["id"], slug=row["slug"], name=row["name"], legal_name=row.get("legal_name") or "",
            locale=row.get("locale") or "en-US", currency=row.get("currency") or "USD",
            timezone=row.get("timezone") or "UTC", prices_include_tax=bool(row.get("prices_include_tax")),
            tax_registration_number=row.get("tax_registration_number"), storefront_url=row.get("storefront_url") or "",
            address=_json(row.get("address")), support=_json(row.get("support")), brand=_json(row.get("brand")),
            policy=_json(row.get("policy")), settings=_json(row.get("settings")), version=row.get("version") or 1,
            texts=_json(row.get("texts")),
        )

    def section(self, name: str) -> Any:
        """One area's namespace of the merchant's settings (None when never set)."""
        return self.settings.get(name)


@dataclass(frozen=True)
class Account:
    """Someone who may sign in to a merchant's admin (and, as store staff, its pickup console)."""

    id: int
    merchant_id: int
    email: str
    role: str  # rules.ROLES
    store_code: str | None
    password_hash: str = field(repr=False)

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Account:
        return cls(row["id"], row["merchant"], row["email"], row["role"], row.get("store_code"), row["password_hash"])

    @property
    def is_owner(self) -> bool:
        return self.role == rules.OWNER


@dataclass(frozen=True)
class MerchantStore:
    """A store with its pickup details, as the settings pages and the API show it."""

    code: str
    name: str
    timezone: str
    address: dict[str, Any]
    hours: list[dict[str, Any]]
    pickup_instructions: str
    what_to_bring: list[str]
    curbside: dict[str, Any]
    hold_days: int
    updated_at: dt.datetime | None
    #: the store's words per language (orderhub.db.texts)
    texts: dict[str, Any]

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> MerchantStore:
        return cls(row["code"], row["name"], row.get("timezone") or "", _json(row.get("address")),
                   list(row.get("hours") or []), row.get("pickup_instructions") or "",
                   list(row.get("what_to_bring") or []), _json(row.get("curbside")), row.get("hold_days") or 7,
                   row.get("updated_at"), _json(row.get("texts")))


@dataclass(frozen=True)
class ApiKeyView:
    id: int
    prefix: str
    label: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


STORE_COLUMNS = (Store.code, Store.name, Store.timezone, Store.address, Store.hours, Store.pickup_instructions,
                 Store.what_to_bring, Store.curbside, Store.hold_days, Store.updated_at, Store.texts)


async def merchant_by_slug(slug: str) -> MerchantView | None:
    if len(slug) > 64:
        return None
    async with engine.read():
        row = await Merchant.select().output(load_json=True).where(Merchant.slug == slug).first()
    return MerchantView.of(row) if row else None


async def signed_in(user_id: int) -> tuple[Account, MerchantView] | None:
    """The enabled account with this id and its merchant (one read for a session's every request)."""
    async with engine.read():
        row = await User.select().where((User.id == user_id) & User.disabled_at.is_null()).first()
        merchant_row = None if row is None else await Merchant.select().output(load_json=True).where(
            Merchant.id == row["merchant"]).first()
    if row is None or merchant_row is None:
        return None
    return Account.of(row), MerchantView.of(merchant_row)


async def enabled_accounts(email: str) -> list[Account]:
    """Every enabled account with this e-mail address (one per merchant at most)."""
    email = (email or "").strip().lower()[:254]
    if not email:
        return []
    async with engine.read():
        rows = await User.select().where((User.email == email) & User.disabled_at.is_null()).order_by(User.id)
    return [Account.of(row) for row in rows]


async def stores(merchant_id: int) -> list[MerchantStore]:
    async with engine.read():
        rows = await Store.select(*STORE_COLUMNS).where(Store.merchant == merchant_id).order_by(Store.code).output(
            load_json=True)
    return [MerchantStore.of(row) for row in rows]


async def store(merchant_id: int, code: str) -> MerchantStore | None:
    if len(code) > 64:
        return None
    async with engine.read():
        row = await Store.select(*STORE_COLUMNS).where(Store.key == scoped(merchant_id, code)).output(
            load_json=True).first()
    return MerchantStore.of(row) if row else None


async def api_keys(merchant_id: int) -> list[ApiKeyView]:
    async with engine.read():
        rows = await ApiKey.select(ApiKey.id, ApiKey.prefix, ApiKey.label, ApiKey.created_at, ApiKey.revoked_at).where(
            ApiKey.merchant == merchant_id).order_by(ApiKey.id, ascending=False)
    return [ApiKeyView(r["id"], r["prefix"], r["label"], r["created_at"], r["revoked_at"]) for r in rows]
