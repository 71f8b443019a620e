"""Cancellation before shipment: the shopper's request on the hub (step-up first, in the web layer),
the merchant's answer (`POST /api/v1/orders/{id}/cancellation`), and the storefront's own cancellation
(`PUT /api/v1/orders/{id}` with `"status": "cancelled"` or per-line `cancelled_quantity`).

Decisions are `orders.rules` (window, units, whole order, refund route); the refund amount is the
returns area's breakdown (per unit, the line's amount after its discounts plus its share of order-level
discounts, tax in the same proportion; earlier cancelled units count first), plus the shipping when the
whole order is cancelled, capped at what was paid minus what earlier cancellations refunded, and zero
when nothing was taken (rules.refund_route). Every accepted cancellation adds the lines'
`cancelled_quantity`; a whole one also sets the order's `cancelled_at` and `fulfillment_status`, so
every page, email and API answer states "cancelled" from the one rule (`rules.is_cancelled`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from orderhub import money
from orderhub.db import engine, statements
from orderhub.db.emails import services as emails
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.orders import rules
from orderhub.db.orders.queries import Hub
from orderhub.db.orders.tables import Cancellation, Order, OrderLine
from orderhub.db.outbox import services as outbox
from orderhub.db.payments import rules as payment_rules
from orderhub.db.payments import services as payments
from orderhub.db.returns import rules as return_rules
from orderhub.db.validation import Reader

DECISIONS = ("accept", "refuse")
MAX_NOTE = 500


@dataclass(frozen=True)
class CancellationView:
    id: int
    source: str
    status: str
    items: list[dict[str, Any]]
    whole: bool
    reason: str
    comment: str
    note: str
    refund_minor: int
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @property
    def pending(self) -> bool:
        return self.status == rules.REQUESTED

    @property
    def units(self) -> int:
        return sum(int(i["quantity"]) for i in self.items)

    @staticmethod
    def of(row: dict[str, Any]) -> CancellationView:
        return CancellationView(
            id=row["id"], source=row["source"], status=row["status"], items=list(row["items"] or []),
            whole=bool(row["whole"]), reason=row["reason"], comment=row["comment"], note=row["note"],
            refund_minor=int(row["refund_minor"]), created_at=row["created_at"], decided_at=row["decided_at"])


@dataclass(frozen=True)
class LineState:
    line_id: str
    quantity: int
    fulfilled: int
    cancelled: int

    @property
    def cancellable(self) -> int:
        return rules.cancellable_units(self.quantity, self.fulfilled, self.cancelled)


@dataclass(frozen=True)
class CancelFacts:
    """What cancellation decides on, for one order."""

    order_id: int
    merchant_id: int
    external_id: str
    number: str
    currency: str
    policy: dict[str, Any]
    cancel_until: dt.datetime
    cancelled: bool
    fulfillment_status: str
    picking: bool
    payment: dict[str, Any]
    #: the payment's state (db/payments) and what was refunded on the order so far (any refund)
    payment_status: str
    order_refunded_minor: int
    lines: list[LineState]
    #: the order's row and its line rows `money` is worked out from when first asked (the order
    #: page's "Changed your mind?" line never asks)
    rows: tuple[dict[str, Any], list[dict[str, Any]]] = field(repr=False, compare=False)
    cancellations: list[CancellationView] = field(default_factory=list)

    @functools.cached_property
    def money(self) -> return_rules.OrderMoney:
        return _order_money(*self.rows)

    @property
    def mode(self) -> str:
        return rules.cancel_mode(self.policy)

    @property
    def pending(self) -> CancellationView | None:
        return next((c for c in self.cancellations if c.pending), None)

    @property
    def latest(self) -> CancellationView | None:
        return self.cancellations[-1] if self.cancellations else None

    @property
    def accepted(self) -> list[CancellationView]:
        return [c for c in self.cancellations if c.status == rules.ACCEPTED]

    @property
    def refunded_minor(self) -> int:
        """Refunded on the order so far: by cancellations, returns, claims or the storefront (every refund
        reaches the payment through payments.record_refund, which keeps the order's total)."""
        return self.order_refunded_minor

    @property
    def refund_left(self) -> int:
        """What can still be refunded (the payments area's one cap)."""
        return payment_rules.refund_left(self.money.total_minor, self.order_refunded_minor, self.money.paid_in_minor)

    @property
    def available(self) -> dict[str, int]:
        return {ln.line_id: ln.cancellable for ln in self.lines if ln.cancellable}

    @property
    def shipped_any(self) -> bool:
        return any(ln.fulfilled for ln in self.lines)

    @property
    def refund_route(self) -> str:
        return rules.refund_route(str(self.payment.get("method") or rules.CARD), self.payment_status)

    def can_cancel(self, now: dt.datetime) -> bool:
        return rules.cancel_open(cancelled=self.cancelled, fulfillment_status=self.fulfillment_status,
                                 picking=self.picking, cancel_until=self.cancel_until, now=now,
                                 units_left=sum(self.available.values()), pending=self.pending is not None)

    def whole(self, items: dict[str, int]) -> bool:
        return rules.cancels_whole(self.available, items, self.shipped_any)

    def refund_for(self, items: dict[str, int]) -> int:
        """The money back for cancelling `items` now (0 when nothing was taken)."""
        if self.refund_route == rules.REFUND_NONE:
            return 0
        before = {ln.line_id: ln.cancelled for ln in self.lines}
        b = return_rules.refund_breakdown(self.money, items, reason="", resolution="refund", method="", policy={},
                                          previously_returned=before, offers_labels=False)
        amount = b.total_minor
        if self.whole(items) and self.money.shipping_minor:
            nets = rules.line_net_amounts(
                [{"quantity": ln.quantity, "unit_price_minor": ln.unit_price_minor, "discount_minor": ln.discount_minor}
                 for ln in self.money.lines], self.money.order_discount_minor)
            _, ship_tax = return_rules.order_taxes(self.money, nets)
            amount += self.money.shipping_minor + (0 if self.money.prices_include_tax else ship_tax)
        return payment_rules.capped_refund(amount, self.money.total_minor, self.order_refunded_minor,
                                           self.money.paid_in_minor)


#: the cancellation's reads as fixed statements (orderhub.db.statements; columns from the tables)
_ORDER = statements.columns(Order, "o")
_LINE = statements.columns(OrderLine, "l")
_CANCEL = statements.columns(Cancellation, "c")
_ORDER_ROW = statements.Statement(
    f"SELECT {_ORDER.select}, m.policy AS merchant_policy FROM orders o JOIN merchants m ON m.id = o.merchant "
    "WHERE o.id = ?")
_LINES = statements.Statement(f'SELECT {_LINE.select} FROM order_lines l WHERE l."order" = ? ORDER BY l.position, l.id')
_CANCELLATIONS = statements.Statement(
    f'SELECT {_CANCEL.select} FROM order_cancellations c WHERE c."order" = ? ORDER BY c.id')


def hub_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The read `hub_cancel_facts` makes for the hub's order page, from the order's row (prefetched
    with the hub's own reads: one round trip on PostgreSQL, `statements.prefetch`)."""
    return [_CANCELLATIONS.read(order["id"])]


async def cancel_facts(order_id: int) -> CancelFacts:
    """Joins the caller's scope (read or write)."""
    async with engine.read():
        raw = await _ORDER_ROW.first(order_id)
        if raw is None:
            raise NotFound("order.not_found", "no such order")
        lines = _LINE.rows(await _LINES.all(order_id))
        facts = await facts_of(cast(dict[str, Any], _ORDER.row(raw)), lines, statements.json_value(
            raw["merchant_policy"]))
    return facts


async def hub_cancel_facts(hub: Hub) -> CancelFacts:
    """`cancel_facts` for a hub's order, from the rows the hub was read from (the merchant's policy
    as kept for the version the order row came with): one read, the cancellations."""
    if hub.rows is None:
        return await cancel_facts(hub.order.id)
    return await facts_of(hub.rows.order, hub.rows.lines, hub.merchant.policy)


async def facts_of(order: dict[str, Any], lines: list[dict[str, Any]], policy: object) -> CancelFacts:
    """The facts from the order's row and its line rows (the tables' column names); reads its
    cancellations inside the caller's scope."""
    rows = _CANCEL.rows(await _CANCELLATIONS.read(order["id"]).all())
    policy = cast(dict[str, Any], policy if isinstance(policy, dict) else {})
    return CancelFacts(
        order_id=order["id"], merchant_id=order["merchant"], external_id=order["external_id"], number=order["number"],
        currency=order["currency"], policy=policy, cancel_until=rules.cancel_deadline(order["placed_at"], policy),
        cancelled=rules.is_cancelled(order["cancelled_at"], order["fulfillment_status"]),
        fulfillment_status=order["fulfillment_status"],
        picking=bool(cast(dict[str, Any], order["fulfillment"] or {}).get("picking")),
        payment=cast(dict[str, Any], order["payment"] or {}),
        payment_status=str(order["payment_status"] or "paid"),
        order_refunded_minor=int(order["refunded_minor"] or 0),
        lines=[LineState(ln["line_id"], ln["quantity"], ln["fulfilled_quantity"], ln["cancelled_quantity"])
               for ln in lines],
        rows=(order, lines), cancellations=[CancellationView.of(r) for r in rows])


def _order_money(order: dict[str, Any], lines: list[dict[str, Any]]) -> return_rules.OrderMoney:
    """The order's money as refunds work it out (returns.rules), from its row and its line rows."""
    return return_rules.OrderMoney.of_order(order, [
        return_rules.LineFacts(line_id=ln["line_id"], title=ln["title"], quantity=ln["quantity"],
                               unit_price_minor=ln["unit_price_minor"], discount_minor=ln["discount_minor"],
                               tax_rate=Decimal(ln["tax_rate"])) for ln in lines])


def _items_json(items: dict[str, int]) -> list[dict[str, Any]]:
    return [{"line_id": line_id, "quantity": units} for line_id, units in items.items()]


def event_payload(facts: CancelFacts, view: CancellationView) -> dict[str, Any]:
    """The webhook (and email) payload of a cancellation event."""
    return {"order_id": facts.external_id, "number": facts.number, "cancellation_id": view.id,
            "status": view.status, "source": view.source, "whole": view.whole, "items": view.items,
            "reason": view.reason, "comment": view.comment, "note": view.note,
            "refund": money.to_string(view.refund_minor, facts.currency), "currency": facts.currency,
            "refund_route": facts.refund_route}


async def _apply(facts: CancelFacts, items: dict[str, int], whole: bool, now: dt.datetime) -> None:
    """Cancels the units (inside the caller's write)."""
    for line in facts.lines:
        units = min(items.get(line.line_id, 0), line.cancellable)
        if units:
            await OrderLine.update({OrderLine.cancelled_quantity: OrderLine.cancelled_quantity + units}).where(
                (OrderLine.order == facts.order_id) & (OrderLine.line_id == line.line_id))
    if whole:
        await Order.update({Order.cancelled_at: now, Order.fulfillment_status: rules.CANCELLED}).where(
            Order.id == facts.order_id)



async def _cancelled(facts: CancelFacts, view: CancellationView, now: dt.datetime) -> None:
    """After the units are cancelled: the cancellation keeps what can really be refunded now (cut to
    what is left after every earlier refund, a return's included: the payments area's one cap), then
    `order.cancelled` (webhook and the shopper's email) with that amount, then the refund on the
    payment (db/payments.record_refund: partially refunded or refunded, and its event; a credit note
    when a receipt was issued). Inside the caller's write."""
    left = await payments.refundable(facts.order_id)
    if view.refund_minor > left:
        await Cancellation.update({Cancellation.refund_minor: left}).where(Cancellation.id == view.id)
        view = await _view(view.id)
    await outbox.notify(facts.merchant_id, "order.cancelled", event_payload(facts, view), order_id=facts.order_id,
                        now=now)
    if view.whole and view.refund_minor == 0:  # nothing was taken: a pending konbini / bank payment is void
        await payments.void_unpaid(facts.order_id, now=now)
    if view.refund_minor > 0:
        await payments.record_refund(facts.order_id, view.refund_minor, reason="cancellation", source=view.source,
                                     now=now, up_to=True)


async def _view(cancellation_id: int) -> CancellationView:
    row = await Cancellation.select().where(Cancellation.id == cancellation_id).output(load_json=True).first()
    assert row is not None
    return CancellationView.of(row)


async def request(order_id: int, items: dict[str, int], reason: str, comment: str, *,
                  now: dt.datetime) -> CancellationView:
    """The shopper's cancellation (already stepped up): a request the merchant answers, or done at
    once when the merchant cancels instantly. Refused (coded Conflict) when the window has closed,
    the storefront started picking, or a request is waiting."""
    async with engine.write():
        facts = await cancel_facts(order_id)
        if facts.pending is not None:
            raise Conflict(rules.CANCEL_PENDING, "a cancellation request is waiting for the merchant")
        if not facts.can_cancel(now):
            raise Conflict(rules.CANCEL_CLOSED, "the order can no longer be cancelled")
        clean, errors = rules.read_cancel_choice({k: str(v) for k, v in items.items()}, facts.available, reason,
                                                 comment)
        if errors:
            raise ValidationFailed(errors)
        whole = facts.whole(clean)
        instant = facts.mode == rules.CANCEL_INSTANT
        row = Cancellation(order=order_id, source=rules.SHOPPER, status=rules.ACCEPTED if instant else rules.REQUESTED,
                           items=_items_json(clean), whole=whole, reason=reason, comment=(comment or "")[:MAX_NOTE],
                           note="", refund_minor=facts.refund_for(clean), created_at=now,
                           decided_at=now if instant else None)
        await row.save()
        view = await _view(row.id)
        payload = event_payload(facts, view)
        await outbox.notify(facts.merchant_id, "order.cancel_requested", payload, order_id=order_id, now=now)
        if instant:
            await _apply(facts, clean, whole, now)
            await _cancelled(facts, view, now)
    return view


def read_decision(body: object, currency: str, cap_minor: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`{"decision": "accept"|"refuse", "note"?, "refund"?}` -> (clean, errors)."""
    r = Reader()
    data = r.obj(body, "") or {}
    for key in data:
        if key not in ("decision", "note", "refund"):
            r.error(str(key)[:100], "is not a field of this call")
    clean = {
        "decision": r.choice(data, "decision", "decision", DECISIONS),
        "note": r.text(data, "note", "note", required=False, max_len=MAX_NOTE),
        "refund": None,
    }
    if data.get("refund") is not None:
        amount = r.amount(data, "refund", "refund", currency)
        if amount > cap_minor:
            r.error("refund", f"is more than the {money.to_string(cap_minor, currency)} that can be refunded")
        clean["refund"] = amount
    return clean, r.errors


async def decide(merchant_id: int, external_id: str, body: object, *, now: dt.datetime) -> tuple[CancelFacts,
                                                                                                 CancellationView]:
    """The merchant accepts or refuses the waiting request (409 when none waits)."""
    if not (0 < len(external_id) <= 200) or "\x00" in external_id:
        raise NotFound("order.not_found", "no such order", field="external_id")
    async with engine.write():
        order = await Order.select(Order.id).where(Order.key == scoped(merchant_id, external_id)).first()
        if order is None:
            raise NotFound("order.not_found", "no such order", field="external_id")
        facts = await cancel_facts(order["id"])
        pending = facts.pending
        cap = facts.refund_left
        clean, errors = read_decision(body, facts.currency, cap)
        if errors:
            raise ValidationFailed(errors)
        if pending is None:
            raise Conflict(rules.CANCEL_NONE_PENDING, "no cancellation request is waiting")
        items = {i["line_id"]: int(i["quantity"]) for i in pending.items}
        if clean["decision"] == "refuse":
            await Cancellation.update({Cancellation.status: rules.REFUSED, Cancellation.note: clean["note"],
                                       Cancellation.decided_at: now}).where(Cancellation.id == pending.id)
            view = await _view(pending.id)
            await emails.enqueue(merchant_id, "order.cancel_refused", event_payload(facts, view), order_id=facts.order_id,
                                 now=now)
            return facts, view
        # units shipped meanwhile cannot be cancelled any more
        items = {k: min(v, facts.available.get(k, 0)) for k, v in items.items() if facts.available.get(k, 0)}
        if not items:
            raise Conflict(rules.CANCEL_CLOSED, "everything asked for has shipped meanwhile")
        whole = facts.whole(items)
        refund = clean["refund"] if clean["refund"] is not None else facts.refund_for(items)
        await Cancellation.update({
            Cancellation.status: rules.ACCEPTED, Cancellation.note: clean["note"], Cancellation.decided_at: now,
            Cancellation.items: _items_json(items), Cancellation.whole: whole, Cancellation.refund_minor: refund,
        }).where(Cancellation.id == pending.id)
        await _apply(facts, items, whole, now)
        view = await _view(pending.id)
        await _cancelled(facts, view, now)
    return facts, view


async def apply_storefront(order_id: int, *, status: str, given: dict[str, int], now: dt.datetime) -> None:
    """The storefront's PUT of the order (inside its write): `status` cancelled cancels every unit not
    shipped; `given` ({line_id: cancelled_quantity}) are totals, never taken back (a smaller number, or
    a body without them, keeps what is cancelled). Repeating the same body changes nothing. A request
    waiting for the merchant is settled by it: accepted when it covers the request, else left waiting."""
    facts = await cancel_facts(order_id)
    if facts.cancelled:
        return
    want: dict[str, int] = {}
    for line in facts.lines:
        total = line.quantity - line.fulfilled if status == rules.CANCELLED else given.get(line.line_id, 0)
        more = min(total - line.cancelled, line.cancellable)
        if more > 0:
            want[line.line_id] = more
    if not want:
        return
    whole = facts.whole(want)
    pending = facts.pending
    refund = facts.refund_for(want)
    if pending is not None and all(want.get(i["line_id"], 0) >= int(i["quantity"]) for i in pending.items):
        await Cancellation.update({Cancellation.status: rules.ACCEPTED, Cancellation.decided_at: now,
                                   Cancellation.items: _items_json(want), Cancellation.whole: whole,
                                   Cancellation.refund_minor: refund}).where(Cancellation.id == pending.id)
        cancellation_id = pending.id
    else:
        row = Cancellation(order=order_id, source=rules.STOREFRONT, status=rules.ACCEPTED, items=_items_json(want),
                           whole=whole, reason="", comment="", note="", refund_minor=refund, created_at=now,
                           decided_at=now)
        await row.save()
        cancellation_id = row.id
    await _apply(facts, want, whole, now)
    await _cancelled(facts, await _view(cancellation_id), now)


def cancellation_json(view: CancellationView | None, currency: str) -> dict[str, Any] | None:
    """The order's latest cancellation as the API answers it."""
    if view is None:
        return None
    return {"id": str(view.id), "status": view.status, "source": view.source, "whole": view.whole,
            "items": view.items, "reason": view.reason or None, "comment": view.comment or None,
            "note": view.note or None, "refund": money.to_string(view.refund_minor, currency),
            "requested_at": view.created_at.isoformat(),
            "decided_at": view.decided_at.isoformat() if view.decided_at else None}
