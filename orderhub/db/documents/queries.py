"""Reads: an order's receipt, its issue log, and cached documents."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from orderhub.db import engine
from orderhub.db.documents import rules
from orderhub.db.documents.tables import CachedDocument, CreditNote, DocumentRecord, Receipt, ReceiptIssue


@dataclass(frozen=True)
class ReceiptView:
    """An order's receipt: its number and, once issued as a 領収書, the addressee and purpose."""

    id: int
    number: int
    formal: bool = False
    addressee: str = ""
    purpose: str = ""
    created_at: dt.datetime | None = None
    voided_at: dt.datetime | None = None

    @classmethod
    def of(cls, row: Any) -> ReceiptView:
        def get(key: str) -> Any:
            return row.get(key) if isinstance(row, dict) else getattr(row, key)

        return cls(get("id"), get("number"), bool(get("formal")), get("addressee") or "", get("purpose") or "",
                   get("created_at"), get("voided_at"))

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


async def receipts_of_order(order_id: int) -> list[ReceiptView]:
    """Every receipt the order has had, voided ones (無効) included, oldest first."""
    async with engine.read():
        rows = await Receipt.select().where(Receipt.order == order_id).order_by(Receipt.id)
    return [ReceiptView.of(r) for r in rows]


@dataclass(frozen=True)
class CreditNoteView:
    """A refund's credit note: its number, the refunded amount per rate, the original transaction
    date and the refund date."""

    id: int
    number: int
    amount_minor: int
    by_rate: list[rules.RateTotal]
    transaction_at: dt.datetime
    refunded_at: dt.datetime
    reason: str
    receipt_number: int | None

    @property
    def number_label(self) -> str:
        return rules.credit_number_label(self.number)

    @property
    def receipt_label(self) -> str:
        return rules.receipt_number_label(self.receipt_number) if self.receipt_number else ""


async def credit_notes(order_id: int) -> list[CreditNoteView]:
    async with engine.read():
        rows = await CreditNote.select(
            *CreditNote.all_columns(), CreditNote.receipt.number.as_alias("receipt_number")
        ).where(CreditNote.order == order_id).order_by(CreditNote.id).output(load_json=True)
    return [
        CreditNoteView(r["id"], r["number"], r["amount_minor"], rules.by_rate_of(r["by_rate"] or []),
                       r["transaction_at"], r["refunded_at"], r["reason"] or "", r["receipt_number"])
        for r in rows
    ]


@dataclass(frozen=True)
class LogEntry:
    """One line of the issue log."""

    kind: str
    number_label: str
    order_id: int
    order_number: str
    amount_minor: int
    currency: str
    counterparty: str
    issued_at: dt.datetime
    voided_at: dt.datetime | None


MAX_LOG_ROWS = 200


async def search_log(merchant_id: int, search: rules.LogSearch, timezone: str) -> list[LogEntry]:
    """The merchant's issued documents, newest first, by issue date (inclusive days in `timezone`),
    amount (absolute, so a credit note of -¥500 matches 500) and a part of the counterparty's name."""
    zone = zoneinfo.ZoneInfo(timezone)
    amount = DocumentRecord.amount_minor
    where: Any = DocumentRecord.merchant == merchant_id
    if search.date_from:
        where &= DocumentRecord.issued_at >= dt.datetime.combine(search.date_from, dt.time(), zone)
    if search.date_to:
        where &= DocumentRecord.issued_at < dt.datetime.combine(search.date_to + dt.timedelta(days=1), dt.time(), zone)
    if search.amount_min is not None:  # credit notes are stored negative: compare the size
        where &= (amount >= search.amount_min) | (amount <= -search.amount_min)
    if search.amount_max is not None:
        where &= (amount <= search.amount_max) & (amount >= -search.amount_max)
    if search.counterparty:
        # LIKE's own wildcards match any one character here; the exact text is checked below
        pattern = "%" + "".join("_" if c in "%_\\" else c for c in search.counterparty) + "%"
        column = DocumentRecord.counterparty  # SQLite's LIKE ignores ASCII case already and has no ILIKE
        where &= column.ilike(pattern) if engine.current_engine().engine_type == "postgres" else column.like(pattern)
    async with engine.read():
        rows = await DocumentRecord.select(
            *DocumentRecord.all_columns(), DocumentRecord.order.number.as_alias("order_number")
        ).where(where).order_by(DocumentRecord.issued_at, ascending=False).order_by(
            DocumentRecord.id, ascending=False).limit(MAX_LOG_ROWS)
    wanted = search.counterparty.casefold()
    return [LogEntry(r["kind"], r["number_label"], r["order"], r["order_number"], r["amount_minor"], r["currency"],
                     r["counterparty"], r["issued_at"], r["voided_at"])
            for r in rows if wanted in (r["counterparty"] or "").casefold()]
