"""Reads for the merchant admin: stores and API keys of one merchant."""

from __future__ import annotations

from orderhub.db import engine
from orderhub.db.merchants.tables import ApiKey, Store

STORE_COLUMNS = (Store.code, Store.name, Store.timezone, Store.address, Store.hours, Store.pickup_instructions,
                 Store.what_to_bring, Store.curbside, Store.hold_days, Store.updated_at)


async def stores(merchant_id: int) -> list[dict]:
    async with engine.read():
        return await Store.select(*STORE_COLUMNS).where(Store.merchant == merchant_id).order_by(Store.code).output(
            load_json=True)


async def store(merchant_id: int, code: str) -> dict | None:
    if len(code) > 64:
        return None
    async with engine.read():
        return await Store.select(*STORE_COLUMNS).where(Store.key == f"{merchant_id}:{code}").output(
            load_json=True).first()


async def api_keys(merchant_id: int) -> list[dict]:
    async with engine.read():
        return await ApiKey.select(ApiKey.id, ApiKey.prefix, ApiKey.label, ApiKey.created_at, ApiKey.revoked_at).where(
            ApiKey.merchant == merchant_id).order_by(ApiKey.id, ascending=False)
