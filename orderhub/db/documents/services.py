"""Writes: receipt numbers (sequential per merchant, no gaps), the 領収書 details, the issue
log and the document cache. Every function opens (or joins) a write scope."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from orderhub.db import engine
from orderhub.db.documents import rules
from orderhub.db.documents.queries import ReceiptView
from orderhub.db.documents.tables import (
    CachedDocument,
    CreditNote,
    DocumentRecord,
    Receipt,
    ReceiptCounter,
    ReceiptIssue,
)
from orderhub.db.errors import Conflict
from orderhub.db.keys import scoped
from orderhub.db.orders import rules as order_rules
from orderhub.db.orders.tables import Order, OrderLine

MAX_CACHED_PER_ORDER = 12


async def _next_number(merchant_id: int, series: str = "") -> int:
    """The merchant's next number in a series ("" receipts, "credit" credit notes), without gaps."""
    key = f"{merchant_id}:{series}" if series else str(merchant_id)
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
                return await _new_receipt(order_id, merchant_id, now)
        except Exception as exc:
            if not engine.is_unique_violation(exc) or attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _new_receipt(order_id: int, merchant_id: int, now: dt.datetime, replaces: int | None = None) -> ReceiptView:
    """Inside a write scope: the order's next receipt, and its line in the issue log."""
    number = await _next_number(merchant_id)
    receipt = Receipt(merchant=merchant_id, order=order_id, order_key=str(order_id), key=scoped(merchant_id, number),
                      number=number, created_at=now, replaces=replaces)
    await receipt.save()
    order = await Order.select(Order.total_minor, Order.currency, Order.customer).output(load_json=True).where(
        Order.id == order_id).first()
    assert order is not None  # the receipt's foreign key
    await DocumentRecord(
        merchant=merchant_id, order=order_id, kind=rules.RECEIPT, document_id=receipt.id,
        number_label=rules.receipt_number_label(number), amount_minor=order["total_minor"], currency=order["currency"],
        counterparty=rules.counterparty(cast(dict[str, Any], order["customer"] or {})), issued_at=now,
    ).save()
    return ReceiptView.of(receipt)


async def void_and_reissue(merchant_id: int, order_id: int, now: dt.datetime) -> ReceiptView:
    """The merchant voids the order's receipt (無効: kept with its number, marked) and issues a new one
    with the next number, which the shopper can take as a 領収書 again. No receipt -> Conflict."""
    async with engine.write():
        current = await Receipt.objects().where(
            (Receipt.order_key == str(order_id)) & (Receipt.merchant == merchant_id)).first()
        if current is None:
            raise Conflict(rules.NO_RECEIPT, "the order has no receipt to void")
        await Receipt.update({Receipt.voided_at: now, Receipt.order_key: f"{order_id}:void:{current.id}"}).where(
            Receipt.id == current.id)
        await DocumentRecord.update({DocumentRecord.voided_at: now}).where(
            (DocumentRecord.kind == rules.RECEIPT) & (DocumentRecord.document_id == current.id))
        return await _new_receipt(order_id, merchant_id, now, replaces=current.id)


async def issue_credit_note(order: dict[str, Any], refund_id: int, amount_minor: int, *, reason: str,
                            now: dt.datetime) -> int | None:
    """Inside the refund's write scope: a credit note for the refund when the order's receipt had been
    issued (else None). It names the original transaction date and the refund date, and splits the
    amount over the order's tax rates (rules.refund_by_rate)."""
    receipt = await Receipt.select(Receipt.id, Receipt.addressee).where(Receipt.order_key == str(order["id"])).first()
    if receipt is None:
        return None
    lines = await OrderLine.objects().where(OrderLine.order == order["id"])
    totals = order_rules.order_tax_by_rate(lines, order["discount_minor"], order["shipping_minor"],
                                           order["shipping_tax_rate"], bool(order["prices_include_tax"]))
    japan = rules.japanese(order["currency"])
    by_rate = rules.refund_by_rate(rules.from_per_rate(totals, bool(order["prices_include_tax"]), japan), amount_minor)
    merchant_id = order["merchant"]
    number = await _next_number(merchant_id, "credit")
    note = CreditNote(
        merchant=merchant_id, order=order["id"], key=scoped(merchant_id, "credit", number), refund_key=str(refund_id),
        number=number, receipt=receipt["id"], amount_minor=amount_minor, by_rate=rules.by_rate_json(by_rate),
        transaction_at=rules.transaction_at(order["paid_at"], order["placed_at"]), refunded_at=now,
        reason=reason[:200], created_at=now,
    )
    await note.save()
    await DocumentRecord(
        merchant=merchant_id, order=order["id"], kind=rules.REFUND_CREDIT, document_id=note.id,
        number_label=rules.credit_number_label(number), amount_minor=-amount_minor, currency=order["currency"],
        counterparty=rules.counterparty(cast(dict[str, Any], order["customer"] or {}), receipt["addressee"] or ""),
        issued_at=now,
    ).save()
    return note.id


async def void_credit_note(refund_id: int, *, now: dt.datetime) -> int | None:
    """Inside the caller's write: the refund was taken back, so its credit note (if one was issued) is
    void: kept with its number, marked void in the issue log (電子帳簿保存法) -> its id, or None."""
    note = await CreditNote.select(CreditNote.id).where(CreditNote.refund_key == str(refund_id)).first()
    if note is None:
        return None
    await DocumentRecord.update({DocumentRecord.voided_at: now}).where(
        (DocumentRecord.kind == rules.REFUND_CREDIT) & (DocumentRecord.document_id == note["id"]))
    return cast(int, note["id"])


async def drop_cached(order_id: int, kind: str) -> None:
    """Forget the order's cached PDFs of one kind (a document that no longer exists)."""
    await CachedDocument.delete().where((CachedDocument.order == order_id) & (CachedDocument.kind == kind))


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
        await DocumentRecord.update({DocumentRecord.counterparty: rules.counterparty({}, addressee)}).where(
            (DocumentRecord.kind == rules.RECEIPT) & (DocumentRecord.document_id == receipt.id))
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
