"""Writes on a return's label row that the return's own moves need (db/returns/services imports this, the
label job too): a withdrawn return's label is cancelled, a label that failed for good, or that will never
be made because the merchant stopped making labels, stops costing the shopper. All join the caller's write
transaction."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from orderhub.db import engine
from orderhub.db.returns import label_rules
from orderhub.db.returns.label_tables import ReturnLabel
from orderhub.db.returns.tables import ReturnRequest


async def cancel_open(return_id: int, *, now: dt.datetime) -> bool:
    """The return was withdrawn (cancelled, rejected, expired): its pending or failed label is cancelled,
    so the job never buys it and "retry now" refuses it (no email, no webhook). -> whether one was."""
    async with engine.write():
        done = await ReturnLabel.update({ReturnLabel.state: label_rules.CANCELLED, ReturnLabel.updated_at: now}).where(
            (ReturnLabel.request == return_id) & ReturnLabel.state.is_in(list(label_rules.CANCELLABLE))
        ).returning(ReturnLabel.id)
    return bool(done)


async def drop_label_charge(return_id: int) -> None:
    """The label failed for good: the stored refund breakdown loses its `label` line (and the return's
    total grows back), so pages, emails, PDFs, the API and the refund itself stop cutting it. A label
    made later after all (the merchant's "retry now") is not charged again."""
    async with engine.write():
        row = await ReturnRequest.select(ReturnRequest.breakdown, ReturnRequest.status).where(
            ReturnRequest.id == return_id).first()
        if row is None or row["status"] not in label_rules.CHARGE_DROPPABLE:
            return
        raw = row["breakdown"]
        stored: Any = json.loads(raw) if isinstance(raw, str) and raw else raw
        changed = label_rules.without_label_charge(stored) if isinstance(stored, dict) else None
        if changed is None:
            return
        await ReturnRequest.update({ReturnRequest.breakdown: changed,
                                    ReturnRequest.total_minor: changed["total_minor"]}).where(
            ReturnRequest.id == return_id)


async def drop_unmade_charges(merchant_id: int) -> int:
    """The merchant removed its label provider: every approved mail return of its still waiting for the
    label job (no label row yet) will get no label, so none is charged. -> returns changed."""
    async with engine.write():
        waiting = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.method, ReturnRequest.keep_item,
                                             ReturnRequest.status).where(
            (ReturnRequest.merchant == merchant_id) & (ReturnRequest.status == "approved")
            & ReturnRequest.method.is_in(list(label_rules.LABEL_METHODS))
            & ReturnRequest.id.not_in(ReturnLabel.select(ReturnLabel.request)))
        ids = [r["id"] for r in waiting if label_rules.wants_label(r["method"], r["keep_item"], r["status"])]
        for return_id in ids:
            await drop_label_charge(return_id)
    return len(ids)
