"""Writes: receipt numbers (sequential per merchant, no gaps), the 領収書 details, the issue
log and the document cache. Every function opens (or joins) a write scope."""

from __future__ import annotations

import datetime as dt

from orderhub.db import engine
from orderhub.db.documents import rules
from orderhub.db.documents.queries import ReceiptView
from orderhub.db.documents.tables import CachedDocument, Receipt, ReceiptCounter, ReceiptIssue
from orderhub.db.errors import Conflict
from orderhub.db.keys import scoped

MAX_CACHED_PER_ORDER = 12


async def _next_number(merchant_id: int) -> int:
    key = str(merchant_id)
    await ReceiptCounter.raw(
        "INSERT INTO receipt_counters (merchant, key, last_number) VALUES ({}, {}, 0) ON CONFLICT (key) DO NOTHING",
        merchant_id, key,
    )
    rows = await ReceiptCounter.raw(
        "UPDATE receipt_counters SET last_number = last_number + 1 WHERE key = {} RETURNING last_number", key
    )
    return int(rows[0]["last_number"])


async def ensure_receipt(order_id: int, merchant_id: int, now: dt.datetime) -> ReceiptView:
    """The order's receipt, created with the merchant's next number the first time. The counter
    is bumped in the same transaction as the insert: a failed insert rolls the number back. Once the
    receipt exists this is a read: viewing it again writes nothing (and works while the database is
    busy with a writer)."""
    async with engine.read():
        found = await Receipt.objects().where(Receipt.order_key == str(order_id)).first()
    if found is not None:
        return ReceiptView.of(found)
    for attempt in range(3):
        try:
            async with engine.write():
                existing = await Receipt.objects().where(Receipt.order_key == str(order_id)).first()
                if existing is not None:
                    return ReceiptView.of(existing)
                number = await _next_number(merchant_id)
                receipt = Receipt(
                    merchant=merchant_id, order=order_id, order_key=str(order_id), key=scoped(merchant_id, number),
                    number=number, created_at=now,
                )
                await receipt.save()
                return ReceiptView.of(receipt)
        except Exception as exc:
            if not engine.is_unique_violation(exc) or attempt == 2:
                raise
    raise AssertionError("unreachable")


async def issue_formal(order_id: int, merchant_id: int, addressee: str, purpose: str, locale: str,
                       now: dt.datetime) -> ReceiptView:
    """領収書 mode: store 宛名 and 但し書き once and log the first issue. A second attempt -> Conflict."""
    receipt = await ensure_receipt(order_id, merchant_id, now)
    async with engine.write():
        updated = await Receipt.update(
            {Receipt.formal: True, Receipt.addressee: addressee, Receipt.purpose: purpose,
             Receipt.formal_issued_at: now}
        ).where((Receipt.id == receipt.id) & (Receipt.formal == False)).returning(Receipt.id)  # noqa: E712
        if not updated:
            raise Conflict(rules.ALREADY_ISSUED,
                           "the receipt was already issued; download it again for a copy marked as reissued")
        await ReceiptIssue(receipt=receipt.id, kind=rules.ISSUE, document=rules.FORMAL, locale=locale,
                           at=now).save()
        return ReceiptView.of(await Receipt.objects().where(Receipt.id == receipt.id).first())


async def log_issue(receipt_id: int, kind: str, document: str, locale: str, now: dt.datetime) -> None:
    async with engine.write():
        await ReceiptIssue(receipt=receipt_id, kind=kind, document=document, locale=locale, at=now).save()


async def store_document(key: str, order_id: int | None, kind: str, pdf: bytes, now: dt.datetime) -> None:
    """Keep a finished PDF (a racing twin with the same key is fine: same bytes). A cache: when the
    database is busy the PDF is simply not kept, and the shopper still gets it."""
    try:
        async with engine.write():
            if await CachedDocument.exists().where(CachedDocument.key == key):
                return
            await CachedDocument(key=key, order=order_id, kind=kind, pdf=pdf, size=len(pdf), created_at=now).save()
            if order_id is not None:
                old = await CachedDocument.select(CachedDocument.id).where(
                    CachedDocument.order == order_id
                ).order_by(CachedDocument.id, ascending=False).limit(1000).offset(MAX_CACHED_PER_ORDER)
                if old:
                    await CachedDocument.delete().where(CachedDocument.id.is_in([r["id"] for r in old]))
    except Exception as exc:
        if not (engine.is_unique_violation(exc) or engine.is_busy(exc)):
            raise
