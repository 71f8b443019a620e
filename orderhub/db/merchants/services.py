"""Writes for merchants: creation with keys, settings columns and namespaces, stores, users."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from orderhub.db import engine, statements
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.merchants import rules
from orderhub.db.merchants.tables import ApiKey, Merchant, Store, User
from orderhub.db.tokens import new_api_key, new_secret, token_hash
from orderhub.db.validation import NOT_EMAIL, Reader, field_error

PASSWORDS = PasswordHasher()


async def hash_password(password: str) -> str:
    """argon2 is deliberately slow (tens of ms): hashed in a worker thread, never on the event loop
    and never inside a write transaction."""
    return await anyio.to_thread.run_sync(PASSWORDS.hash, password)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return PASSWORDS.verify(password_hash, password)
    except (VerificationError, InvalidHashError):  # a mismatch is a VerificationError too
        return False


async def password_matches(password_hash: str, password: str) -> bool:
    return await anyio.to_thread.run_sync(_matches, password_hash, password)


@dataclass(frozen=True)
class NewMerchant:
    id: int
    slug: str
    api_key: str
    webhook_secret: str


async def create_merchant(slug: str, name: str, *, locale: str = "en-US", currency: str = "USD",
                          timezone: str = "UTC", now: dt.datetime) -> NewMerchant:
    """A merchant with its first API key (its brand starts empty: the defaults of db/branding)."""
    r = Reader()
    settings = rules.read_settings(r, {"name": name, "locale": locale, "currency": currency, "timezone": timezone,
                                       "prices_include_tax": currency == "JPY"})
    if not rules.slug_ok(slug):
        r.error("slug", rules.SLUG_INVALID, "must be lower-case letters, digits and -")
    r.raise_if_any()
    api_key, secret = new_api_key(), new_secret()
    async with engine.write():
        if await Merchant.exists().where(Merchant.slug == slug):
            raise Conflict(rules.SLUG_TAKEN, f"a merchant with the slug {slug!r} exists", field="slug", slug=slug)
        merchant = Merchant(slug=slug, webhook_secret=secret, created_at=now, **settings)
        await merchant.save()
        await ApiKey(merchant=merchant.id, key_hash=token_hash(api_key), prefix=api_key[:8],
                     label="created with the merchant", created_at=now).save()
    return NewMerchant(merchant.id, slug, api_key, secret)


async def issue_api_key(merchant_id: int, label: str, *, now: dt.datetime) -> str:
    """A new API key for the merchant; only its hash is kept, so it is shown once."""
    api_key = new_api_key()
    async with engine.write():
        await ApiKey(merchant=merchant_id, key_hash=token_hash(api_key), prefix=api_key[:8], label=label[:100],
                     created_at=now).save()
    return api_key


#: the merchant of an API key not revoked, in one fixed statement (every API call and carrier webhook
#: asks it: Piccolo's query builder had cost about a millisecond of CPU per call)
_MERCHANT_COLUMNS = statements.columns(Merchant, "m")
_BY_API_KEY = statements.Statement(
    f"SELECT {_MERCHANT_COLUMNS.select} FROM api_keys k JOIN merchants m ON m.id = k.merchant "
    "WHERE k.key_hash = ? AND k.revoked_at IS NULL")


async def merchant_for_api_key(api_key: str) -> Merchant | None:
    row = _MERCHANT_COLUMNS.row(await _BY_API_KEY.first(token_hash(api_key)))
    return Merchant(_exists_in_db=True, **row) if row is not None else None


async def upsert_store(merchant_id: int, code: str, body: object, *, now: dt.datetime) -> tuple[bool, dict[str, Any]]:
    """-> (created, store). The store's plain texts are in the merchant's language (orderhub.db.texts)."""
    async with engine.read():
        merchant = await Merchant.select(Merchant.locale).where(Merchant.id == merchant_id).first()
    store, errors = rules.read_store(body, code, (merchant or {}).get("locale") or "en-US")
    if errors:
        raise ValidationFailed(errors)
    key = scoped(merchant_id, code)
    async with engine.write():
        existing = await Store.objects().output(load_json=True).where(Store.key == key).first()
        if existing is None:
            await Store(merchant=merchant_id, key=key, code=code, updated_at=now, **store).save()
            return True, {"code": code, **store}
        if any(getattr(existing, k) != v for k, v in store.items()):
            await Store.update({**{getattr(Store, k): v for k, v in store.items()}, Store.updated_at: now}).where(
                Store.key == key
            )
    return False, {"code": code, **store}


async def create_user(merchant_slug: str, email: str, role: str, password: str, *,
                      store_code: str | None, now: dt.datetime) -> int:
    """An account made from the command line (the admin invites people instead: db/merchants/team)."""
    errors = []
    if role not in rules.ROLES:
        errors.append(field_error("role", rules.ROLE_INVALID, "must be owner or staff"))
    if len(password) < rules.MIN_PASSWORD:
        errors.append(field_error("password", rules.PASSWORD_TOO_SHORT, "must be at least 10 characters",
                                  n=rules.MIN_PASSWORD))
    if "@" not in email:
        errors.append(field_error("email", NOT_EMAIL))
    if role == rules.STAFF and not store_code:
        errors.append(field_error("store", rules.STAFF_NEED_STORE, "staff belong to a store: give --store CODE"))
    if errors:
        raise ValidationFailed(errors)
    password_hash = await hash_password(password)
    async with engine.write():
        merchant = await Merchant.objects().output(load_json=True).where(Merchant.slug == merchant_slug).first()
        if merchant is None:
            raise NotFound(rules.MERCHANT_NOT_FOUND, f"no merchant {merchant_slug!r}")
        if store_code and not await Store.exists().where(Store.key == scoped(merchant.id, store_code)):
            raise NotFound(rules.STORE_NOT_FOUND, f"no store {store_code!r} for {merchant_slug!r}", field="store")
        key = scoped(merchant.id, email.strip().lower())
        if await User.exists().where(User.key == key):
            raise Conflict(rules.ALREADY_MEMBER, f"{email} already has an account", field="email")
        user = User(merchant=merchant.id, key=key, email=email.strip().lower(), role=role,
                    store_code=store_code, password_hash=password_hash, created_at=now)
        await user.save()
        return user.id


async def update_section_settings(
    merchant_id: int, section: str, value: dict[str, Any] | None, *, published: bool = True
) -> None:
    """Write one area's namespace of `Merchant.settings` (already validated by that area's rules) and
    bump the merchant's version, in one transaction; an unchanged value writes nothing. A namespace
    shoppers never see (`published=False`, such as the brand draft) leaves the version alone, so
    cached documents stay valid."""
    await update_merchant(merchant_id, sections={section: value}, bump=published)


async def update_merchant(merchant_id: int, *, columns: dict[str, Any] | None = None, sections: dict[str, Any] | None = None,
                          bump: bool = True) -> bool:
    """Change validated merchant columns (support, policy, brand, ...) and settings namespaces at once,
    bumping `Merchant.version` when anything changed (unless `bump` is False). -> whether anything changed."""
    columns, sections = columns or {}, sections or {}
    async with engine.write():
        merchant = await Merchant.objects().output(load_json=True).where(Merchant.id == merchant_id).first()
        if merchant is None:
            raise NotFound(rules.MERCHANT_NOT_FOUND, "merchant")
        settings = dict(cast(dict[str, Any], merchant.settings or {}))  # a JSON object (load_json)
        changed = {k: v for k, v in columns.items() if getattr(merchant, k) != v}
        if any(settings.get(k) != v for k, v in sections.items()):
            settings.update(sections)
            changed["settings"] = settings
        if not changed:
            return False
        values = {getattr(Merchant, k): v for k, v in changed.items()}
        if bump:
            values[Merchant.version] = Merchant.version + 1
        await Merchant.update(values).where(Merchant.id == merchant_id)
    return True


async def revoke_api_key(merchant_id: int, key_id: int, *, now: dt.datetime) -> None:
    """Revoke one of the merchant's keys (another merchant's key is not found); revoking twice is a no-op."""
    async with engine.write():
        key = await ApiKey.select(ApiKey.id, ApiKey.revoked_at).where(
            (ApiKey.id == key_id) & (ApiKey.merchant == merchant_id)).first()
        if key is None:
            raise NotFound(rules.API_KEY_NOT_FOUND, "api key")
        if key["revoked_at"] is None:
            await ApiKey.update({ApiKey.revoked_at: now}).where(ApiKey.id == key_id)
