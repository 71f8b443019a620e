"""Reads: an order's receipt, its issue log, and cached documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from orderhub.db import engine
from orderhub.db.documents import rules
from orderhub.db.documents.tables import CachedDocument, Receipt, ReceiptIssue


@dataclass(frozen=True)
class ReceiptView:
    """An order's receipt: its number and, once issued as a 領収書, the addressee and purpose."""

    id: int
    number: int
    formal: bool = False
    addressee: str = ""
    purpose: str = ""

    @classmethod
    def of(cls, row: Any) -> ReceiptView:
        return cls(row.id, row.number, bool(row.formal), row.addressee or "", row.purpose or "")

    @property
    def number_label(self) -> str:
        return rules.receipt_number_label(self.number)


@dataclass(frozen=True)
class ReceiptIssueView:
    """One time a receipt left the server: first issue or reissue (再発行)."""

    kind: str
    document: str
    locale: str
    at: dt.datetime


async def receipt_for_order(order_id: int) -> ReceiptView | None:
    async with engine.read():
        row = await Receipt.objects().where(Receipt.order_key == str(order_id)).first()
    return ReceiptView.of(row) if row is not None else None


async def issues(receipt_id: int) -> list[ReceiptIssueView]:
    async with engine.read():
        rows = await ReceiptIssue.select().where(ReceiptIssue.receipt == receipt_id).order_by(ReceiptIssue.id)
    return [ReceiptIssueView(r["kind"], r["document"], r["locale"], r["at"]) for r in rows]


async def cached_pdf(key: str) -> bytes | None:
    async with engine.read():
        row = await CachedDocument.select(CachedDocument.pdf).where(CachedDocument.key == key).first()
    return bytes(row["pdf"]) if row else None


async def numbers(merchant_id: int) -> list[int]:
    async with engine.read():
        rows = await Receipt.select(Receipt.number).where(Receipt.merchant == merchant_id).order_by(Receipt.number)
    return [r["number"] for r in rows]
