"""Reads for emails: the merchant's outbox, and everything one message says about its order."""

from __future__ import annotations

import datetime as dt

from orderhub.db import engine
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.orders.tables import Order
from orderhub.db.shipping.tables import Shipment

STATES = ("pending", "sending", "sent", "dead", "suppressed", "skipped")
COLUMNS = (EmailMessage.id, EmailMessage.order_id, EmailMessage.event, EmailMessage.kind, EmailMessage.recipient,
           EmailMessage.locale, EmailMessage.message_id, EmailMessage.state, EmailMessage.attempts,
           EmailMessage.next_attempt_at, EmailMessage.last_error, EmailMessage.created_at, EmailMessage.sent_at)


async def messages(merchant_id: int, *, state: str | None = None, order_id: int | None = None,
                   ids: list[int] | None = None, limit: int = 100) -> list[dict]:
    """The merchant's outbox, newest first, with the order number."""
    async with engine.read():
        query = EmailMessage.select(*COLUMNS).where(EmailMessage.merchant == merchant_id)
        if state:
            query = query.where(EmailMessage.state == state)
        if order_id is not None:
            query = query.where(EmailMessage.order_id == order_id)
        if ids is not None:
            query = query.where(EmailMessage.id.is_in(ids or [0]))
        rows = await query.order_by(EmailMessage.id, ascending=False).limit(limit)
        ids = list({r["order_id"] for r in rows if r["order_id"] is not None})
        numbers = {o["id"]: (o["number"], o["external_id"]) for o in await Order.select(
            Order.id, Order.number, Order.external_id).where(Order.id.is_in(ids))} if ids else {}
    for r in rows:
        r["order_number"], r["order_external_id"] = numbers.get(r["order_id"], ("", ""))
    return rows


async def message(merchant_id: int, message_id: int) -> dict | None:
    async with engine.read():
        return await EmailMessage.select().where(
            (EmailMessage.id == message_id) & (EmailMessage.merchant == merchant_id)).output(load_json=True).first()


async def counts(merchant_id: int) -> dict[str, int]:
    async with engine.read():
        out = {s: 0 for s in STATES}
        for state in STATES:
            out[state] = await EmailMessage.count().where(
                (EmailMessage.merchant == merchant_id) & (EmailMessage.state == state))
    return out


async def shipments_arriving_soon(now: dt.datetime) -> list[dict]:
    """Shipments still on their way whose estimate is today, tomorrow or the day after (UTC
    dates; the job decides "tomorrow" in each shopper's time zone), with what the job needs."""

    today = now.date()
    async with engine.read():
        return await Shipment.select(
            Shipment.id, Shipment.merchant, Shipment.order, Shipment.external_id, Shipment.carrier,
            Shipment.tracking_number, Shipment.status, Shipment.substatus, Shipment.estimate, Shipment.first_estimate,
            Shipment.order.shipping_address.as_alias("address"), Shipment.merchant.timezone.as_alias("timezone"),
        ).where(
            Shipment.status.is_in(["pending", "info_received", "in_transit"])
            & (Shipment.estimate >= today) & (Shipment.estimate <= today + dt.timedelta(days=2))
        ).output(load_json=True)


async def order_for_preview(merchant_id: int, ref: str) -> dict | None:
    """One of the merchant's orders by external id or order number (the admin's preview form)."""
    ref = ref.strip()[:200]
    if not ref:
        return None
    async with engine.read():
        return await Order.select(Order.id, Order.external_id, Order.number, Order.locale).where(
            (Order.merchant == merchant_id) & ((Order.key == f"{merchant_id}:{ref}") | (Order.number == ref))
        ).order_by(Order.id, ascending=False).first()


async def recent_orders(merchant_id: int, limit: int = 20) -> list[dict]:
    async with engine.read():
        return await Order.select(Order.external_id, Order.number).where(Order.merchant == merchant_id).order_by(
            Order.id, ascending=False).limit(limit)
