"""Reads for emails: the merchant's outbox, and everything one message says about its order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from orderhub.db import engine
from orderhub.db.emails import rules
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order
from orderhub.db.shipping.tables import Shipment

STATES = rules.STATES
COLUMNS = (EmailMessage.id, EmailMessage.order_id, EmailMessage.event, EmailMessage.kind, EmailMessage.recipient,
           EmailMessage.locale, EmailMessage.message_id, EmailMessage.state, EmailMessage.attempts,
           EmailMessage.next_attempt_at, EmailMessage.last_error, EmailMessage.created_at, EmailMessage.sent_at,
           EmailMessage.rendered_at)


@dataclass(frozen=True)
class EmailView:
    """One message of the merchant's outbox, with its order's number."""

    id: int
    order_id: int | None
    event: str
    kind: str
    recipient: str
    locale: str
    #: the stable token of its Message-ID header (rules.message_id_header)
    message_id: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    #: when the message was rendered for sending and kept (None: nothing kept)
    rendered_at: dt.datetime | None = None
    order_number: str = ""
    order_external_id: str = ""

    @classmethod
    def of(cls, row: dict[str, Any], number: str = "", external_id: str = "") -> EmailView:
        return cls(row["id"], row["order_id"], row["event"], row["kind"], row["recipient"], row["locale"],
                   row["message_id"], row["state"], row["attempts"], row["next_attempt_at"], row["last_error"] or "",
                   row["created_at"], row["sent_at"], row.get("rendered_at"), number, external_id)

    @property
    def waiting(self) -> bool:
        """Still to go out (its time has not come, or it is being sent)."""
        return rules.waiting(self.state)

    @property
    def scheduled(self) -> bool:
        """Waiting for its first try (quiet hours): the list says when it goes out."""
        return self.waiting and self.attempts == 0

    @property
    def retryable(self) -> bool:
        return rules.retryable(self.state, self.recipient)


@dataclass(frozen=True)
class OutgoingEmail:
    """A message claimed for sending: what the sender renders and records."""

    id: int
    order_id: int | None
    event: str
    kind: str
    payload: dict[str, Any]
    recipient: str
    locale: str
    message_id: str
    attempts: int
    created_at: dt.datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> OutgoingEmail:
        return cls(row["id"], row["order_id"], row["event"], row["kind"], row["payload"] or {}, row["recipient"],
                   row["locale"], row["message_id"], row["attempts"], row["created_at"])


async def messages(merchant_id: int, *, state: str | None = None, order_id: int | None = None,
                   ids: list[int] | None = None, limit: int = 100) -> list[EmailView]:
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
        order_ids = list({r["order_id"] for r in rows if r["order_id"] is not None})
        numbers = {o["id"]: (o["number"], o["external_id"]) for o in await Order.select(
            Order.id, Order.number, Order.external_id).where(Order.id.is_in(order_ids))} if order_ids else {}
    return [EmailView.of(r, *numbers.get(r["order_id"], ("", ""))) for r in rows]


async def message(merchant_id: int, message_id: int) -> EmailView | None:
    found = await messages(merchant_id, ids=[message_id], limit=1)
    return found[0] if found else None


@dataclass(frozen=True)
class KeptMessage:
    """One outbox row with the message kept when it was rendered for sending (`kept` False: none
    was kept, and the row's own event, payload and language are there to render it now)."""

    email: EmailView
    payload: dict[str, Any]
    subject: str
    html: str
    text: str
    locale: str

    @property
    def kept(self) -> bool:
        return self.email.rendered_at is not None


async def kept_message(merchant_id: int, message_id: int) -> KeptMessage | None:
    """The merchant's message with this id and what was kept of it, or None."""
    view = await message(merchant_id, message_id)
    if view is None:
        return None
    async with engine.read():
        row = await EmailMessage.select(
            EmailMessage.payload, EmailMessage.rendered_subject, EmailMessage.rendered_html,
            EmailMessage.rendered_text, EmailMessage.rendered_locale,
        ).where((EmailMessage.id == message_id) & (EmailMessage.merchant == merchant_id)).output(load_json=True).first()
    if row is None:
        return None
    return KeptMessage(view, row["payload"] or {}, row["rendered_subject"] or "", row["rendered_html"] or "",
                       row["rendered_text"] or "", row["rendered_locale"] or view.locale)


async def counts(merchant_id: int) -> dict[str, int]:
    """How many of the merchant's messages are in each state (rules.STATES)."""
    async with engine.read():
        out = {s: 0 for s in STATES}
        for state in STATES:
            out[state] = await EmailMessage.count().where(
                (EmailMessage.merchant == merchant_id) & (EmailMessage.state == state))
    return out


# --- what one message says -------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderRef:
    id: int
    external_id: str
    number: str
    locale: str


async def order_by_external_id(merchant_slug: str, external_id: str) -> tuple[int, int] | None:
    """(merchant id, order id) for the command line's preview."""
    async with engine.read():
        merchant = await Merchant.select(Merchant.id).where(Merchant.slug == merchant_slug).first()
        if merchant is None:
            return None
        order = await Order.select(Order.id).where(Order.key == scoped(merchant["id"], external_id)).first()
    return (merchant["id"], order["id"]) if order else None


async def order_for_preview(merchant_id: int, ref: str) -> OrderRef | None:
    """One of the merchant's orders by external id or order number (the admin's preview form)."""
    ref = ref.strip()[:200]
    if not ref:
        return None
    async with engine.read():
        row = await Order.select(Order.id, Order.external_id, Order.number, Order.locale).where(
            (Order.merchant == merchant_id) & ((Order.key == scoped(merchant_id, ref)) | (Order.number == ref))
        ).order_by(Order.id, ascending=False).first()
    return OrderRef(row["id"], row["external_id"], row["number"], row["locale"] or "") if row else None


async def recent_orders(merchant_id: int, limit: int = 20) -> list[OrderRef]:
    async with engine.read():
        rows = await Order.select(Order.id, Order.external_id, Order.number, Order.locale).where(
            Order.merchant == merchant_id).order_by(Order.id, ascending=False).limit(limit)
    return [OrderRef(r["id"], r["external_id"], r["number"], r["locale"] or "") for r in rows]


# --- parcels arriving soon (the arriving-tomorrow announcement) ------------------------------------

@dataclass(frozen=True)
class ArrivingShipment:
    id: int
    merchant_id: int
    order_id: int
    external_id: str
    carrier: str
    tracking_number: str
    status: str
    substatus: str
    estimate: dt.date
    first_estimate: dt.date | None
    #: the shopper's address country ("" without one) and the merchant's time zone
    country: str
    timezone: str


async def shipments_arriving_soon(now: dt.datetime) -> list[ArrivingShipment]:
    """Shipments still on their way whose estimate is today, tomorrow or the day after (UTC
    dates; the job decides "tomorrow" in each shopper's time zone), with what the job needs."""
    today = now.date()
    async with engine.read():
        rows = await Shipment.select(
            Shipment.id, Shipment.merchant, Shipment.order, Shipment.external_id, Shipment.carrier,
            Shipment.tracking_number, Shipment.status, Shipment.substatus, Shipment.estimate, Shipment.first_estimate,
            Shipment.order.shipping_address.as_alias("address"), Shipment.merchant.timezone.as_alias("timezone"),
        ).where(
            Shipment.status.is_in(list(rules.ON_THE_WAY))
            & (Shipment.estimate >= today) & (Shipment.estimate <= today + dt.timedelta(days=2))
        ).output(load_json=True)
    return [ArrivingShipment(
        id=r["id"], merchant_id=r["merchant"], order_id=r["order"], external_id=r["external_id"], carrier=r["carrier"],
        tracking_number=r["tracking_number"], status=r["status"], substatus=r["substatus"] or "",
        estimate=r["estimate"], first_estimate=r["first_estimate"], country=str((r["address"] or {}).get("country") or ""),
        timezone=r["timezone"],
    ) for r in rows]
