"""Branding reads: a merchant's logo by its content hash, and its small copy for PDFs."""

from __future__ import annotations

from dataclasses import dataclass

from orderhub.db import engine
from orderhub.db.branding import rules
from orderhub.db.branding.tables import BrandLogo
from orderhub.db.errors import NotFound
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant

LOGO_NOT_FOUND = "branding.logo_not_found"


@dataclass(frozen=True)
class LogoFile:
    data: bytes
    content_type: str


async def logo(slug: str, digest: str, extension: str) -> LogoFile:
    """The logo `digest` of the merchant `slug` (NotFound for anything else, another merchant's too)."""
    async with engine.read():
        merchant = await Merchant.select(Merchant.id).where(Merchant.slug == slug).first()
        if merchant is None:
            raise NotFound(LOGO_NOT_FOUND, "logo")
        row = await BrandLogo.select(BrandLogo.data, BrandLogo.content_type).where(
            BrandLogo.key == scoped(merchant["id"], digest)).first()
    if row is None or rules.Logo(digest, row["content_type"], b"", "", b"").extension != extension:
        raise NotFound(LOGO_NOT_FOUND, "logo")
    return LogoFile(bytes(row["data"]), row["content_type"])


async def print_logo(merchant_id: int, logo_url: str) -> str:
    """The data: URI of an uploaded logo's PDF copy ('' when `logo_url` is not one of ours)."""
    digest = rules.logo_digest(logo_url)
    if digest is None:
        return ""
    async with engine.read():
        row = await BrandLogo.select(BrandLogo.print_data, BrandLogo.print_type).where(
            BrandLogo.key == scoped(merchant_id, digest)).first()
    if row is None:
        return ""
    return rules.data_uri(row["print_type"], bytes(row["print_data"]))
