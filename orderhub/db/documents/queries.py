"""Reads: an order's receipt, its issue log, and cached documents."""

from __future__ import annotations

from orderhub.db import engine
from orderhub.db.documents.tables import CachedDocument, Receipt, ReceiptIssue


async def receipt_for_order(order_id: int) -> Receipt | None:
    async with engine.read():
        return await Receipt.objects().where(Receipt.order_key == str(order_id)).first()


async def issues(receipt_id: int) -> list[dict]:
    async with engine.read():
        return await ReceiptIssue.select().where(ReceiptIssue.receipt == receipt_id).order_by(ReceiptIssue.id)


async def cached_pdf(key: str) -> bytes | None:
    async with engine.read():
        row = await CachedDocument.select(CachedDocument.pdf).where(CachedDocument.key == key).first()
    return bytes(row["pdf"]) if row else None


async def numbers(merchant_id: int) -> list[int]:
    async with engine.read():
        rows = await Receipt.select(Receipt.number).where(Receipt.merchant == merchant_id).order_by(Receipt.number)
    return [r["number"] for r in rows]
