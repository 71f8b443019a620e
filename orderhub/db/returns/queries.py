"""Reads for returns: the wizard's lines and money facts, a shopper's returns with their
timelines, the merchant's queue, and the document read model for credit notes and return slips."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from piccolo.custom_types import Combinable

from orderhub import money
from orderhub.db import engine, statements
from orderhub.db.errors import NotFound
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant, Store
from orderhub.db.orders import queries as order_queries
from orderhub.db.orders.tables import Order, Product
from orderhub.db.paging import Page, clamp_page, pages_for
from orderhub.db.returns import (
    exchange_rules,
    exchanges,
    label_queries,
    label_rules,
    reason_rules,
    reason_store,
    replacements,
    rules,
)
from orderhub.db.returns.exchanges import ExchangeView
from orderhub.db.returns.label_queries import LabelView
from orderhub.db.returns.replacements import ReplacementView
from orderhub.db.returns.tables import Claim, ReturnEvent, ReturnItem, ReturnPhoto, ReturnRequest
from orderhub.db.shipping.queries import delivered_read, delivery_dates


@dataclass(frozen=True)
class OrderFacts:
    order_id: int
    merchant_id: int
    number: str
    currency: str
    timezone: str
    policy: dict[str, Any]
    tags: list[str]
    promised_date: dt.date | None
    fulfillment_status: str
    fulfillment_type: str
    money: rules.OrderMoney
    line_pks: dict[str, int]
    skus: dict[str, str]
    #: lines wholly cancelled before shipment
    cancelled_lines: frozenset[str] = frozenset()
    #: the merchant makes return labels (a label provider is set): only then is a label charged
    offers_labels: bool = False

    def line(self, line_id: str) -> rules.LineFacts | None:
        return next((ln for ln in self.money.lines if ln.line_id == line_id), None)

    def returnable_lines(self, now: dt.datetime) -> list[rules.LineChoice]:
        """Each line with the units that can still be asked back (and until when, or why not)."""
        return rules.returnable_lines(self._kept, policy=self.policy, tags=self.tags,
                                      promised_date=self.promised_date, now=now, timezone=self.timezone)

    def claimable_lines(self) -> list[rules.LineChoice]:
        return rules.claimable_lines(self._kept)

    @property
    def _kept(self) -> list[rules.LineFacts]:
        """The lines not wholly cancelled before shipment (those leave returns and claims)."""
        return [ln for ln in self.money.lines if ln.line_id not in self.cancelled_lines]


_LINE = order_queries.LINE_COLUMNS
_LINES = statements.Statement(f'SELECT {_LINE.select} FROM order_lines l WHERE l."order" = ? ORDER BY l.position, l.id')


async def order_facts(order_id: int) -> OrderFacts:
    """The order's facts as they are now (its row and the merchant's read again)."""
    async with engine.read():
        row = await order_queries.order_row_by_id(order_id)
        if row is None:
            raise NotFound(rules.ORDER_NOT_FOUND, "order not found")
        merchant = await order_queries.merchant_now(row["merchant"])
        return await _facts_of(row, _LINE.rows(await _LINES.all(order_id)), merchant)


async def hub_order_facts(hub: order_queries.Hub) -> OrderFacts:
    """`order_facts` for a hub's page, from the order's row and line rows the hub was read from and
    the merchant as kept for the version that row came with (what the rest of the page shows): no
    second read of any (the returns overview's other reads are prefetched with the hub's own,
    `overview_reads`)."""
    if hub.rows is None:
        return await order_facts(hub.order.id)
    async with engine.read():
        return await _facts_of(hub.rows.order, hub.rows.lines, hub.merchant)


async def _facts_of(row: dict[str, Any], line_rows: list[dict[str, Any]], merchant: Merchant) -> OrderFacts:
    """The facts from the order's row, its line rows (the table's column names, by position) and its
    merchant; reads the lines' delivery dates and whether the merchant makes labels inside the
    caller's read scope."""
    order = SimpleNamespace(**row)
    lines = [SimpleNamespace(**line) for line in line_rows]
    delivered = await delivery_dates(order.id)
    offers_labels = await label_queries.offers_labels(merchant.id)
    facts = [
        rules.LineFacts(
            line_id=ln.line_id, title=ln.title, quantity=ln.quantity, unit_price_minor=ln.unit_price_minor,
            discount_minor=ln.discount_minor, tax_rate=Decimal(ln.tax_rate), final_sale=bool(ln.final_sale),
            requested_quantity=ln.requested_quantity, delivered_at=delivered.get(ln.line_id), variant=ln.variant,
            product_id=ln.product_id, image_url=ln.image_url,
            # cancelled units never reach the shopper: they cannot be returned or claimed
            fulfilled_quantity=rules.fulfilled_units(ln.quantity - ln.cancelled_quantity, ln.fulfilled_quantity,
                                                     fulfillment_type=order.fulfillment_type,
                                                     fulfillment_status=order.fulfillment_status),
        )
        for ln in lines
    ]
    om = rules.OrderMoney.of_order(row, facts)
    return OrderFacts(
        order_id=order.id, merchant_id=merchant.id, number=order.number, currency=order.currency,
        timezone=merchant.timezone, policy=cast(dict[str, Any], merchant.policy or {}),
        tags=list(cast(dict[str, Any], order.customer or {}).get("tags", [])),
        promised_date=order.promised_date, fulfillment_status=order.fulfillment_status,
        fulfillment_type=order.fulfillment_type, money=om,
        line_pks={ln.line_id: ln.id for ln in lines}, skus={ln.line_id: ln.sku for ln in lines},
        cancelled_lines=frozenset(ln.line_id for ln in lines if ln.cancelled_quantity >= ln.quantity),
        offers_labels=offers_labels,
    )


async def exchange_options(merchant_id: int, facts: OrderFacts, line_id: str, *,
                           count_holds: bool = True) -> list[rules.ExchangeOption]:
    line = facts.line(line_id)
    if line is None or not line.product_id:
        return []
    async with engine.read():
        product = await Product.objects().output(load_json=True).where(
            Product.key == scoped(merchant_id, line.product_id)).first()
    if product is None:
        return []

    variants = cast(list[dict[str, Any]], product.variants or [])
    if not count_holds:
        return rules.exchange_options(variants, facts.skus.get(line_id, ""), line.unit_price_minor, facts.currency)
    held = await replacements.reserved(merchant_id, [v.get("sku", "") for v in variants])
    # a variant whose counted units are all held for other exchanges is not offered
    # (catalog variants always have a sku: orders.rules.read_product requires one)
    free = [{**v, "in_stock": replacements.free_units(v, held.get(cast(str, v.get("sku")), 0)) != 0} for v in variants]
    return rules.exchange_options(free, facts.skus.get(line_id, ""), line.unit_price_minor, facts.currency)


@dataclass(frozen=True)
class StoreView:
    """A store an item can be returned to."""

    code: str
    name: str
    address: dict[str, Any]
    #: the store's words per language (orderhub.db.texts)
    texts: dict[str, Any] = field(default_factory=dict)


async def stores(merchant_id: int) -> list[StoreView]:
    async with engine.read():
        rows = await Store.select(Store.code, Store.name, Store.address, Store.texts).output(load_json=True).where(
            Store.merchant == merchant_id).order_by(Store.code)
    return [StoreView(r["code"], r["name"], r["address"] or {}, r["texts"] or {}) for r in rows]


#: every refund given on an order, one fixed statement (orderhub.db.statements): refunded returns
#: with their "refunded" events (the latest counts; the return's last change without one), then
#: resolved claims, then exchanges that gave money back (`difference_minor`: a withdrawn exchange's
#: paid difference)
_REFUNDS = statements.Statement(
    'SELECT \'r\' AS kind, r.id AS id, r.number AS number, r.status AS status, r.resolution AS resolution, '
    'r.total_minor AS amount_minor, r.currency AS currency, e."at" AS "at", r.updated_at AS updated_at, '
    'e.id AS event_id, 0 AS difference_minor '
    'FROM return_requests r LEFT JOIN return_events e ON e.request = r.id AND e.status = ? '
    'WHERE r."order" = ? AND r.status = ? '
    "UNION ALL SELECT 'c', c.id, c.number, c.status, c.resolution, c.refunded_minor, c.currency, c.resolved_at, "
    'NULL, NULL, 0 FROM claims c WHERE c."order" = ? AND c.status = ? '
    "UNION ALL SELECT 'x', x.id, q.number, x.payment_status, '', x.refund_minor, x.currency, x.refunded_at, "
    'NULL, NULL, x.difference_refunded_minor FROM return_exchanges x JOIN return_requests q ON q.id = x.request '
    'WHERE q."order" = ? AND x.refunded_at IS NOT NULL '
    "ORDER BY kind DESC, id, event_id"
)


def _refunds_of(order_id: int) -> statements.Read:
    return _REFUNDS.read(rules.REFUNDED, order_id, rules.REFUNDED, order_id, rules.CLAIM_RESOLVED, order_id)


def hub_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The read `refunds_for_order` makes for the hub's order page, from the order's row (prefetched
    with the hub's own reads: one round trip on PostgreSQL, `statements.prefetch`)."""
    return [_refunds_of(order["id"])]


async def refunds_for_order(order_id: int) -> list[rules.Refund]:
    """Every refund given on the order (refunded returns, claims resolved with a refund, exchanges'
    differences given back), oldest first."""
    rows = await _refunds_of(order_id).all()
    found: dict[tuple[str, int], rules.Refund | None] = {}
    for r in rows:
        if r["kind"] == "r":
            found[("r", r["id"])] = rules.return_refund(r["number"], r["status"], r["resolution"], r["amount_minor"],
                                                        r["currency"], r["at"] or r["updated_at"])
        elif r["kind"] == "x":
            found[("x", r["id"])] = exchange_rules.exchange_refund(r["number"], r["status"], r["amount_minor"],
                                                                   r["difference_minor"], r["currency"], r["at"])
        else:
            found[("c", r["id"])] = rules.claim_refund(r["number"], r["status"], r["resolution"], r["amount_minor"],
                                                       r["currency"], r["at"])
    return sorted((f for f in found.values() if f is not None), key=lambda f: f.at)


async def refunded_so_far(order_id: int) -> tuple[int, bool]:
    """Money already given back on the order and whether shipping was: every refund that reached the
    payment (the order's total of payments.record_refund: cancellations, returns, claims, the
    storefront) plus store credit issued by returns."""
    async with engine.read():
        order = await Order.select(Order.refunded_minor).where(Order.id == order_id).first()
        rows = await ReturnRequest.select(ReturnRequest.total_minor, ReturnRequest.bonus_minor,
                                          ReturnRequest.shipping_minor, ReturnRequest.resolution).where(
            (ReturnRequest.order == order_id) & (ReturnRequest.status == rules.REFUNDED))
        claims = await Claim.select(Claim.shipping_minor).where(
            (Claim.order == order_id) & (Claim.status == rules.CLAIM_RESOLVED) & (Claim.refunded_minor > 0))
    credit = sum(r["total_minor"] - r["bonus_minor"] for r in rows if r["resolution"] != rules.REFUND)
    return (int(order["refunded_minor"] or 0) if order else 0) + credit, \
        any(r["shipping_minor"] for r in rows) or any(c["shipping_minor"] for c in claims)


@dataclass(frozen=True)
class ReturnItemView:
    line_id: str
    title: str
    variant: str
    quantity: int
    amount_minor: int
    tax_minor: int
    tax_rate: str
    reception: str
    acceptance: str
    id: int = 0
    #: resellable, damaged, missing as graded at a counter ("" otherwise)
    grade: str = ""
    #: the item's own reason and comment (a return from before per-item reasons: the return's reason)
    reason: str = ""
    comment: str = ""
    #: the share of the return fee it carries, and whether its reason waived it (reason_rules)
    fee_minor: int = 0
    fee_waived: bool = False
    #: the photos the shopper attached to this item
    photo_ids: tuple[int, ...] = ()

    @property
    def merchant_fault(self) -> bool:
        return rules.merchant_fault(self.reason)


@dataclass(frozen=True)
class ReturnEventView:
    status: str
    note: str
    at: dt.datetime


@dataclass(frozen=True)
class TimelineStep:
    """One step of the shopper's timeline: reached (done) or still ahead."""

    status: str
    done: bool
    at: dt.datetime | None
    note: str


@dataclass(frozen=True)
class RateAmount:
    """Goods and shipping refunded at one tax rate (negative on a credit note)."""

    rate: str
    amount_minor: int
    tax_minor: int


@dataclass(frozen=True)
class ReturnView:
    id: int
    number: str
    order_id: int
    order_number: str
    status: str
    reason: str
    comment: str
    resolution: str
    method: str
    store_code: str
    #: line id -> the SKU chosen for an exchange
    exchange: dict[str, str]
    keep_item: bool
    currency: str
    total_minor: int
    bonus_minor: int
    fee_minor: int
    shipping_minor: int
    drop_off_code: str
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    items: list[ReturnItemView] = field(default_factory=list)
    events: list[ReturnEventView] = field(default_factory=list)
    #: the refund's parts (items, tax, shipping, fee, bonus, cap, exchange), as previewed
    parts: list[rules.Part] = field(default_factory=list)
    by_rate: list[RateAmount] = field(default_factory=list)
    carrier: str = ""
    tracking_number: str = ""
    photo_ids: list[int] = field(default_factory=list)
    replacement: ReplacementView | None = None
    merchant_id: int = 0
    #: received at a store counter: {"at", "by", "store", "before", "refunded", "order_status"}
    counter: dict[str, Any] = field(default_factory=dict)
    #: an exchange for something else: the chosen variants, the difference and its payment (exchanges.py)
    exchange_for: ExchangeView | None = None
    #: the prepaid label made for a mail return (db/returns/label_jobs.py), None when there is none
    prepaid: LabelView | None = None

    # -- what the state allows and shows (rules.py decides) ------------------------------------

    @property
    def tone(self) -> str:
        return rules.status_tone(self.status)

    @property
    def can_cancel(self) -> bool:
        return rules.can_cancel(self.status)

    @property
    def shopper_can_mark_sent(self) -> bool:
        return rules.shopper_can_mark_sent(self.status, self.method, self.keep_item)

    @property
    def shows_instructions(self) -> bool:
        return rules.shows_instructions(self.status)

    @property
    def at_counter(self) -> bool:
        """Handed over at a drop-off point or store counter: the QR code and its code are shown."""
        return rules.at_counter(self.method)

    @property
    def by_mail(self) -> bool:
        return rules.by_mail(self.method)

    @property
    def by_home_pickup(self) -> bool:
        return rules.by_home_pickup(self.method)

    @property
    def slip_available(self) -> bool:
        return rules.slip_available(self.status, self.method)

    @property
    def credit_note_available(self) -> bool:
        return rules.credit_note_available(self.status)

    @property
    def shows_rejection(self) -> bool:
        return rules.shows_rejection(self.status)

    @property
    def is_store_credit(self) -> bool:
        return rules.is_store_credit(self.resolution)

    @property
    def status_message(self) -> str:
        return rules.status_message(self.status, self.resolution)

    @property
    def qr_payload(self) -> str:
        return rules.qr_payload(self.number, self.drop_off_code)

    @property
    def received_at_counter(self) -> bool:
        return bool(self.counter.get("at"))

    @property
    def counter_received_at(self) -> dt.datetime | None:
        at = self.counter.get("at")
        return dt.datetime.fromisoformat(at) if isinstance(at, str) and at else None

    def counter_refusal(self, clerk_store: str) -> str | None:
        """Why the clerk at `clerk_store` may not receive it now (a code), or None."""
        return rules.counter_refusal(status=self.status, method=self.method, store_code=self.store_code,
                                     clerk_store=clerk_store)

    def can_undo_counter(self, clerk_store: str, now: dt.datetime) -> bool:
        return rules.can_undo_counter(self.status, self.counter, clerk_store, now)

    @property
    def reason_of(self) -> dict[str, str]:
        """Each item's reason (line id -> reason): its own (reason_rules), or the request's reason for a
        return made before per-item reasons."""
        return {i.line_id: i.reason or self.reason for i in self.items}

    @property
    def mixed_reasons(self) -> bool:
        """The items came back for different reasons (pages then show the reason per item)."""
        return len(set(self.reason_of.values())) > 1

    @property
    def slip_number_editable(self) -> bool:
        """The 着払い slip's tracking number (送り状番号) may be entered or changed (before the carrier's
        first event on it)."""
        p = self.prepaid
        return p is not None and label_rules.slip_number_editable(p.provider, p.state, p.tracking_status, self.status)

    def label(self) -> dict[str, Any]:
        """How the items come back: the method, where (store, counter code), and the parcel's carrier
        and tracking number once it is on its way."""
        return {"method": self.method, "store_code": self.store_code or None,
                "drop_off_code": self.drop_off_code if self.at_counter else None,
                "qr_payload": self.qr_payload if self.at_counter else None,
                "carrier": self.carrier or None, "tracking_number": self.tracking_number or None,
                "slip_available": self.slip_available,
                # the prepaid label (additive): its state at the provider, where to get it, what it cost
                # the merchant and what the shopper is charged for it (the breakdown's "label" part)
                **(self.prepaid.api() if self.prepaid else {"state": None}),
                # the 着払い slip's tracking number may be entered (PUT .../label/tracking-number)
                "tracking_number_editable": self.slip_number_editable,
                "charged": money.to_string(-self.part("label"), self.currency) if self.part("label") else None}

    def part(self, kind: str) -> int:
        return sum(p.amount_minor for p in self.parts if p.kind == kind)

    @property
    def reached(self) -> list[str]:
        return [e.status for e in self.events]

    @property
    def timeline(self) -> list[TimelineStep]:
        reached = self.reached
        out = []
        for step in rules.timeline_path(self.status, self.resolution, self.keep_item, reached):
            event = next((e for e in self.events if e.status == step), None)
            out.append(TimelineStep(step, rules.step_done(step, reached), event.at if event else None,
                                    event.note if event else ""))
        return out

    def api(self) -> dict[str, Any]:
        def show(minor: int) -> str:
            return money.to_string(minor, self.currency)

        return {
            "id": self.id, "number": self.number, "order_number": self.order_number, "status": self.status,
            "reason": self.reason, "comment": self.comment, "resolution": self.resolution, "method": self.method,
            "store_code": self.store_code or None, "exchange": self.exchange or None, "keep_item": self.keep_item,
            "currency": self.currency, "refund_total": show(self.total_minor), "store_credit_bonus": show(self.bonus_minor),
            "fee": show(self.fee_minor), "shipping": show(self.shipping_minor),
            "items": [{"line_id": i.line_id, "title": i.title, "variant": i.variant or None, "quantity": i.quantity,
                       "amount": show(i.amount_minor), "tax": show(i.tax_minor), "tax_rate": i.tax_rate,
                       "reason": self.reason_of.get(i.line_id, self.reason), "comment": i.comment or None,
                       "fee": show(i.fee_minor), "fee_waived": i.fee_waived,
                       "photos": [f"/api/v1/returns/{self.id}/photos/{p}" for p in i.photo_ids],
                       "reception": i.reception, "acceptance": i.acceptance, "grade": i.grade or None}
                      for i in self.items],
            "label": self.label(),
            "received_at_counter": {"at": self.counter["at"], "store_code": self.counter.get("store"),
                                    "by": self.counter.get("by"), "refunded": bool(self.counter.get("refunded"))}
            if self.received_at_counter else None,
            "timeline": [{"status": e.status, "note": e.note, "at": e.at.isoformat()} for e in self.events],
            "note": self.note, "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
            "carrier": self.carrier or None, "tracking_number": self.tracking_number or None,
            "photos": [f"/api/v1/returns/{self.id}/photos/{p}" for p in self.photo_ids],
            "replacement": replacements.api(self.replacement),
            "exchange_for": self.exchange_for.api() if self.exchange_for else None,
        }


def _parts(breakdown: dict[str, Any]) -> list[rules.Part]:
    return [rules.Part(p["kind"], p["amount_minor"]) for p in breakdown.get("parts", [])]


def _by_rate(breakdown: dict[str, Any]) -> list[RateAmount]:
    return [RateAmount(str(b["rate"]), b["amount_minor"], b["tax_minor"]) for b in breakdown.get("by_rate", [])]


async def _views(where: Any, *, limit: int | None = None, offset: int = 0) -> list[ReturnView]:
    async with engine.read():
        query = ReturnRequest.select(*ReturnRequest.all_columns(), ReturnRequest.order.number.as_alias("order_number")
                                     ).output(load_json=True).where(where).order_by(ReturnRequest.id)
        rows = await (query.limit(limit).offset(offset) if limit is not None else query)
        ids = [r["id"] for r in rows]
        items = await ReturnItem.select().where(ReturnItem.request.is_in(ids)).order_by(ReturnItem.id) if ids else []
        events = await ReturnEvent.select().where(ReturnEvent.request.is_in(ids)).order_by(ReturnEvent.id) if ids else []
        photos = await ReturnPhoto.select(ReturnPhoto.id, ReturnPhoto.request).where(
            ReturnPhoto.request.is_in(ids)).order_by(ReturnPhoto.id) if ids else []
    return await _built(rows, items, events, photos)


#: one order's returns as fixed statements (orderhub.db.statements; columns from the tables, so columns
#: added to them flow in): the request rows as `_views` reads them, and their items, events and photo ids
_REQUEST = statements.columns(ReturnRequest, "r")
_ITEM = statements.columns(ReturnItem, "i")
_EVENT = statements.columns(ReturnEvent, "e")
_REQUESTS_OF_ORDER = statements.Statement(
    f'SELECT {_REQUEST.select}, o.number AS order_number FROM return_requests r '
    'JOIN orders o ON o.id = r."order" WHERE r."order" = ? ORDER BY r.id')
_ITEMS_OF_ORDER = statements.Statement(
    f'SELECT {_ITEM.select} FROM return_items i JOIN return_requests r ON r.id = i.request '
    'WHERE r."order" = ? ORDER BY i.id')
_EVENTS_OF_ORDER = statements.Statement(
    f'SELECT {_EVENT.select} FROM return_events e JOIN return_requests r ON r.id = e.request '
    'WHERE r."order" = ? ORDER BY e.id')
_PHOTOS_OF_ORDER = statements.Statement(
    'SELECT p.id AS id, p.request AS request FROM return_photos p JOIN return_requests r ON r.id = p.request '
    'WHERE r."order" = ? ORDER BY p.id')


async def _built(rows: list[dict[str, Any]], items: list[dict[str, Any]], events: list[dict[str, Any]],
                 photos: list[dict[str, Any]], *, order_id: int | None = None) -> list[ReturnView]:
    """The returns of `rows` with their items, events and photos; with `order_id`, the rows being all
    of that order's returns, their reasons, replacements, exchanges and labels are read by the order
    (fixed statements, prefetched with the returns overview's reads: `overview_reads`)."""
    ids = [r["id"] for r in rows]
    sources = {i: rules.replacement_source("return", i) for i in ids}
    if order_id is not None:
        own = await reason_store.for_order(order_id)
        reps = await replacements.for_order(order_id)
        swaps = await exchanges.for_order(order_id)
        prepaid = await label_queries.labels_for_order(order_id)
    else:
        own = await reason_store.for_items([i["id"] for i in items])
        reps = await replacements.for_sources(list(sources.values()))
        swaps = await exchanges.for_returns(ids)
        prepaid = await label_queries.labels_for(ids)
    out = []
    for r in rows:
        breakdown = r["breakdown"] or {}
        out.append(ReturnView(
            id=r["id"], number=r["number"], order_id=r["order"], order_number=r["order_number"], status=r["status"],
            reason=r["reason"], comment=r["comment"], resolution=r["resolution"], method=r["method"],
            store_code=r["store_code"], exchange=r["exchange"] or {}, keep_item=r["keep_item"], currency=r["currency"],
            total_minor=r["total_minor"], bonus_minor=r["bonus_minor"], fee_minor=r["fee_minor"],
            shipping_minor=r["shipping_minor"], drop_off_code=r["drop_off_code"],
            note=r["note"], created_at=r["created_at"], updated_at=r["updated_at"],
            items=[_item(i, own.get(i["id"]), r["reason"]) for i in items if i["request"] == r["id"]],
            events=[ReturnEventView(e["status"], e["note"], e["at"]) for e in events if e["request"] == r["id"]],
            parts=_parts(breakdown), by_rate=_by_rate(breakdown),
            carrier=r["carrier"], tracking_number=r["tracking_number"],
            photo_ids=[p["id"] for p in photos if p["request"] == r["id"]], replacement=reps.get(sources[r["id"]]),
            merchant_id=r["merchant"], counter=r["counter"] if isinstance(r["counter"], dict) else {},
            exchange_for=swaps.get(r["id"]),
            prepaid=prepaid.get(r["id"]),
        ))
    return out


def _item(row: dict[str, Any], own: reason_rules.ItemReason | None, reason: str) -> ReturnItemView:
    """A returned item with its own reason, or the return's one reason (before per-item reasons)."""
    base = ReturnItemView(row["line_id"], row["title"], row["variant"], row["quantity"], row["amount_minor"],
                          row["tax_minor"], row["tax_rate"], row["reception"], row["acceptance"], row["id"], row["grade"])
    if own is None:
        return replace(base, reason=reason)
    return replace(base, reason=own.reason or reason, comment=own.comment, fee_minor=own.fee_minor,
                   fee_waived=own.fee_waived, photo_ids=own.photos)


def _one(found: list[ReturnView]) -> ReturnView:
    if not found:
        raise NotFound(rules.RETURN_NOT_FOUND, "return not found")
    return found[0]


def overview_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The reads `hub_order_facts` and `returns_for_order` make for the returns overview after the
    hub's (its lines' delivery dates, whether the merchant makes labels; the order's returns
    with their items, events, photo ids, item reasons, replacements, exchanges and labels), from the
    order's row (prefetched with the hub's own reads: one round trip on PostgreSQL,
    `statements.prefetch`)."""
    order_id = order["id"]
    return [delivered_read(order_id), label_queries.offers_labels_read(order["merchant"]), *(
        s.read(order_id) for s in (_REQUESTS_OF_ORDER, _ITEMS_OF_ORDER, _EVENTS_OF_ORDER, _PHOTOS_OF_ORDER)),
        reason_store.of_order_read(order_id), replacements.of_order_read(order_id), exchanges.of_order_read(order_id),
        label_queries.labels_of_order_read(order_id)]


async def returns_for_order(order_id: int) -> list[ReturnView]:
    """The order's returns, oldest first (the returns page: fixed statements, the last three only
    when it has any)."""
    async with engine.read():
        rows = _REQUEST.rows(await _REQUESTS_OF_ORDER.all(order_id), "order_number")
        if not rows:
            return []
        items = _ITEM.rows(await _ITEMS_OF_ORDER.all(order_id))
        events = _EVENT.rows(await _EVENTS_OF_ORDER.all(order_id))
        photos = await _PHOTOS_OF_ORDER.all(order_id)
        return await _built(rows, items, events, photos, order_id=order_id)


async def return_for_order(order_id: int, return_id: int) -> ReturnView:
    return _one(await _views((ReturnRequest.order == order_id) & (ReturnRequest.id == return_id)))


async def return_for_merchant(merchant_id: int, return_id: int) -> ReturnView:
    return _one(await _views((ReturnRequest.merchant == merchant_id) & (ReturnRequest.id == return_id)))


async def returns_by_ids(merchant_id: int, ids: list[int]) -> list[ReturnView]:
    if not ids:
        return []
    return await _views((ReturnRequest.merchant == merchant_id) & ReturnRequest.id.is_in(ids))


async def returns_for_merchant(merchant_id: int, status: str | None = None) -> list[ReturnView]:
    where: Combinable = ReturnRequest.merchant == merchant_id
    if status:
        where = where & (ReturnRequest.status == status)
    return await _views(where)


async def returns_page(merchant_id: int, status: str | None, page: int, per_page: int) -> Page[ReturnView]:
    """One page of the merchant's returns (oldest first), for the API's list."""
    where: Combinable = ReturnRequest.merchant == merchant_id
    if status:
        where = where & (ReturnRequest.status == status)
    async with engine.read():
        total = await ReturnRequest.count().where(where)
        page = clamp_page(page, total, per_page)
        items = await _views(where, limit=per_page, offset=(page - 1) * per_page)
    return Page(items, page, pages_for(total, per_page), total, per_page)


async def _photo(where: Any) -> tuple[bytes, str]:
    """A stored (re-encoded) picture: its bytes and content type."""
    async with engine.read():
        row = await ReturnPhoto.select(ReturnPhoto.data, ReturnPhoto.content_type).where(where).first()
    if row is None:
        raise NotFound(rules.PHOTO_NOT_FOUND, "photo not found")
    return bytes(row["data"]), row["content_type"]


async def photo_for_merchant(merchant_id: int, return_id: int, photo_id: int) -> tuple[bytes, str]:
    return await _photo((ReturnPhoto.id == photo_id) & (ReturnPhoto.request == return_id)
                        & (ReturnPhoto.request.merchant == merchant_id))


async def photo_for_order(order_id: int, return_id: int, photo_id: int) -> tuple[bytes, str]:
    return await _photo((ReturnPhoto.id == photo_id) & (ReturnPhoto.request == return_id)
                        & (ReturnPhoto.request.order == order_id))


# -- documents (credit notes, return slips) ----------------------------------------------------

@dataclass(frozen=True)
class DocumentLine:
    title: str
    variant: str
    quantity: int
    #: negative: a credit note gives money back
    amount_minor: int
    tax_minor: int
    tax_rate: str
    #: the order line it returns
    line_id: str = ""
    #: why it comes back (its own reason, or the return's)
    reason: str = ""


@dataclass(frozen=True)
class ReturnDocument:
    return_id: int
    number: str
    order_number: str
    status: str
    currency: str
    prices_include_tax: bool
    method: str
    resolution: str
    drop_off_code: str
    created_at: dt.datetime
    lines: list[DocumentLine]
    #: negative, per tax rate (goods and shipping refunded)
    by_rate: list[RateAmount]
    fee_minor: int
    bonus_minor: int
    total_minor: int
    #: where the parcel goes: the chosen store's address for in-store returns, else the merchant's
    return_address: dict[str, Any]
    return_to: str
    send_by: dt.datetime | None
    merchant_id: int
    order_id: int
    #: the store's or merchant's texts per language (its name as the reader's language has it)
    return_to_texts: dict[str, Any] = field(default_factory=dict)
    #: the last day to send on (Destination.send_by_day)
    send_by_day: dt.date | None = None

    @property
    def credit_note_available(self) -> bool:
        return rules.credit_note_available(self.status)

    @property
    def slip_available(self) -> bool:
        return rules.slip_available(self.status, self.method)


@dataclass(frozen=True)
class Destination:
    """Where a return's items go and by when: the one answer the return page, the "approved"
    email and the return slip (PDF) all show."""

    #: the store's name for in-store returns, else the merchant's (with its texts per language)
    name: str
    address: dict[str, Any]
    #: None once nothing has to be sent (not approved, sent already, or the item is kept)
    send_by: dt.datetime | None
    texts: dict[str, Any] = field(default_factory=dict)
    #: the merchant's time zone, the one `send_by` is counted in
    timezone: str = "UTC"

    @property
    def send_by_day(self) -> dt.date | None:
        """The last day to send on (what every instruction shows)."""
        return None if self.send_by is None else rules.send_by_day(self.send_by, self.timezone)


async def destination(view: ReturnView) -> Destination:
    merchant_id = view.merchant_id
    async with engine.read():
        merchant = await Merchant.select(Merchant.name, Merchant.address, Merchant.policy, Merchant.texts,
                                         Merchant.timezone).output(
            load_json=True).where(Merchant.id == merchant_id).first()
        assert merchant is not None  # the return's merchant (a foreign key)
        store = None
        if view.store_code and rules.needs_store(view.method):
            store = await Store.select(Store.name, Store.address, Store.texts).output(load_json=True).where(
                Store.key == scoped(merchant_id, view.store_code)).first()
    place = store or merchant
    return Destination(
        name=place["name"], address=cast(dict[str, Any], place["address"] or {}),
        texts=cast(dict[str, Any], place["texts"] or {}),
        send_by=rules.send_by(view.status, view.keep_item, view.updated_at, merchant["policy"] or {},
                              merchant["timezone"]),
        timezone=merchant["timezone"],
    )


async def return_document(return_id: int) -> ReturnDocument:
    """Everything a credit note or a return slip shows. Amounts are negative (money back)."""
    v = _one(await _views(ReturnRequest.id == return_id))
    async with engine.read():
        req = await ReturnRequest.select(ReturnRequest.merchant, ReturnRequest.order.prices_include_tax.as_alias("pit")
                                         ).where(ReturnRequest.id == return_id).first()
        assert req is not None  # _one() found it above
    place = await destination(v)
    return ReturnDocument(
        return_id=v.id, number=v.number, order_number=v.order_number, status=v.status, currency=v.currency,
        prices_include_tax=req["pit"], method=v.method, resolution=v.resolution, drop_off_code=v.drop_off_code,
        created_at=v.created_at,
        lines=[DocumentLine(i.title, i.variant, i.quantity, -i.amount_minor, -i.tax_minor, i.tax_rate, i.line_id,
                            v.reason_of.get(i.line_id, v.reason)) for i in v.items],
        by_rate=[RateAmount(b.rate, -b.amount_minor, -b.tax_minor) for b in v.by_rate],
        fee_minor=v.fee_minor, bonus_minor=v.bonus_minor, total_minor=-v.total_minor,
        return_address=place.address, return_to=place.name, return_to_texts=place.texts, send_by=place.send_by,
        send_by_day=place.send_by_day,
        merchant_id=req["merchant"], order_id=v.order_id,
    )
