"""Branding writes: the merchant's settings document with its brand (PUT /api/v1/merchant), the
editor's draft (Merchant.settings["brand_draft"]), publishing it atomically into Merchant.brand with
a new Merchant.version, and storing uploaded logos."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orderhub.db import engine
from orderhub.db.branding import rules
from orderhub.db.branding.tables import BrandLogo
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.merchants import services as merchant_services
from orderhub.db.merchants.tables import Merchant

NO_DRAFT = "branding.no_draft"


async def update_merchant_settings(merchant_id: int, body: object) -> dict[str, Any]:
    """Replace the merchant's settings and brand (PUT /api/v1/merchant), validated together; the
    version goes up when anything changed. -> the settings as stored."""
    settings, errors = rules.read_merchant_settings(body)
    if errors:
        raise ValidationFailed(errors)
    await merchant_services.update_merchant(merchant_id, columns=settings)
    return settings


async def save_draft(merchant_id: int, brand: dict[str, Any]) -> None:
    """Keep an already validated brand as the draft; the hub and PDFs do not change."""
    await merchant_services.update_section_settings(merchant_id, rules.DRAFT, brand, published=False)


async def discard_draft(merchant_id: int) -> None:
    await merchant_services.update_section_settings(merchant_id, rules.DRAFT, None, published=False)


async def publish(merchant_id: int) -> dict[str, Any]:
    """Copy the draft into Merchant.brand and bump Merchant.version in one write transaction (the
    theme.css URL and every document cache key change with the version). Conflict: no draft."""
    async with engine.write():
        row = await Merchant.select(Merchant.settings).output(load_json=True).where(Merchant.id == merchant_id).first()
        if row is None:
            raise NotFound(merchant_rules.MERCHANT_NOT_FOUND, "merchant")
        draft = (row["settings"] or {}).get(rules.DRAFT)
        if not isinstance(draft, dict):
            raise Conflict(NO_DRAFT, "There is no draft to publish.")
        brand = {k: v for k, v in draft.items() if v not in ("", {}, None)}
        await merchant_services.update_merchant(merchant_id, columns={"brand": brand}, sections={rules.DRAFT: None})
    return brand


async def store_logo(merchant_id: int, logo: rules.Logo, *, now: dt.datetime) -> None:
    """Keep a re-encoded logo (the same picture twice is stored once)."""
    key = scoped(merchant_id, logo.digest)
    async with engine.write():
        exists = await BrandLogo.exists().where(BrandLogo.key == key)
        if not exists:
            await BrandLogo(merchant=merchant_id, key=key, digest=logo.digest, content_type=logo.content_type,
                            data=logo.data, print_type=logo.print_type, print_data=logo.print_data,
                            created_at=now).save()
