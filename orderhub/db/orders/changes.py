"""A shopper's delivery changes before shipment (issue 19 item 4): reads and writes.

`request_change` (the hub, after the step-up) stores a change and either applies it at once (a
delivery window, a safe place, an address in the same shipping zone and tax area) or leaves it
pending for the merchant, who answers with `decide` (POST /api/v1/orders/{id}/changes/{change_id}).
Applying a change writes the order's one current value (`Order.shipping_address`, `Order.delivery`),
which every page, email, PDF and API answer reads. Webhooks `order.change_requested` and
`order.changed` (with the shopper's "change applied" email) go through the outbox in the same
transaction; a refusal writes the "change refused" email only (the merchant made it).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from orderhub.db import engine, statements
from orderhub.db.emails import services as emails
from orderhub.db.errors import Conflict, NotFound
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders import change_rules as rules
from orderhub.db.orders import queries
from orderhub.db.orders.tables import Order, OrderChange
from orderhub.db.outbox import services as outbox

REQUESTED_EVENT = "order.change_requested"
CHANGED_EVENT = "order.changed"
#: the shopper's "change refused" email (no webhook: the merchant refused it)
REFUSED_EVENT = "order.change_refused"


@dataclass(frozen=True)
class ChangeView:
    change_id: str
    kind: str
    old: dict[str, Any]
    new: dict[str, Any]
    state: str
    note: str
    requested_by: str
    decided_by: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @property
    def pending(self) -> bool:
        return self.state == rules.PENDING

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> ChangeView:
        return cls(row["change_id"], row["kind"], dict(row["old_value"] or {}), dict(row["new_value"] or {}),
                   row["state"], row["note"] or "", row["requested_by"] or "", row["decided_by"] or "",
                   row["created_at"], row["decided_at"])

    def as_json(self) -> dict[str, Any]:
        """What the API, and the webhooks' `change`, say about it."""
        return {
            "id": self.change_id, "kind": self.kind, "state": self.state,
            "old": rules.public_values(self.kind, self.old), "new": rules.public_values(self.kind, self.new),
            "note": self.note or None, "requested_by": self.requested_by, "decided_by": self.decided_by or None,
            "requested_at": self.created_at.isoformat(),
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }


@dataclass(frozen=True)
class DeliveryState:
    """What the change page needs: may the shopper still change anything, and the changes so far."""

    changeable: bool
    delivery: dict[str, Any]
    changes: list[ChangeView]
    #: the current address in full: shown only to a visitor who stepped up
    address: dict[str, Any] | None = None

    @property
    def pending(self) -> list[ChangeView]:
        return [c for c in self.changes if c.pending]

    def pending_kinds(self) -> set[str]:
        return {c.kind for c in self.pending}


#: the change page's reads as fixed statements (orderhub.db.statements; columns from the tables)
_CHANGE = statements.columns(OrderChange, "c")
_SHIPMENT_COUNT = statements.Statement('SELECT count(*) AS n FROM shipments s WHERE s."order" = ?')
_CHANGES = statements.Statement(
    f'SELECT {_CHANGE.select} FROM order_changes c WHERE c."order" = ? ORDER BY c.created_at DESC, c.id DESC')


async def _shipment_count(order_id: int) -> int:
    row = await _SHIPMENT_COUNT.read(order_id).first()
    return int(row["n"]) if row else 0


def _changeable(order: Mapping[str, Any], shipments: int) -> bool:
    return rules.before_shipment(
        ships=order["fulfillment_type"] == "ship", cancelled=order["cancelled_at"] is not None,
        fulfillment_status=order["fulfillment_status"], shipments=shipments,
        picking=bool(cast(dict[str, Any], order["fulfillment"] or {}).get("picking")))


async def _is_changeable(order: Mapping[str, Any]) -> bool:
    """`_changeable`, the order's parcels counted only when the order's own facts leave the answer
    open (a parcel can only close it: a cancelled, shipped or delivered order needs no count)."""
    if not _changeable(order, 0):
        return False
    return _changeable(order, await _shipment_count(order["id"]))


async def _changes(order_id: int) -> list[ChangeView]:
    return [ChangeView.of(row) for row in _CHANGE.rows(await _CHANGES.read(order_id).all())]


def hub_reads(order: Mapping[str, Any]) -> list[statements.Read]:
    """The reads `hub_delivery_state` makes for the hub's order page (the parcels, counted while the
    order could still change; its changes), from the order's row (prefetched with the hub's own
    reads: one round trip on PostgreSQL, `statements.prefetch`)."""
    return [_SHIPMENT_COUNT.read(order["id"]), _CHANGES.read(order["id"])]


async def delivery_state(order_id: int) -> DeliveryState:
    """The order's delivery preferences, whether they can still change, and every change (newest first)."""
    async with engine.read():
        order = await queries.order_row_by_id(order_id)
        if order is None:
            raise NotFound(rules.NOT_FOUND, "no such order")
        return await _state_of(order)


async def hub_delivery_state(hub: queries.Hub) -> DeliveryState:
    """`delivery_state` for a hub's order, from the order row the hub was read from."""
    if hub.rows is None:
        return await delivery_state(hub.order.id)
    async with engine.read():
        return await _state_of(hub.rows.order)


async def _state_of(order: Mapping[str, Any]) -> DeliveryState:
    changeable = await _is_changeable(order)
    changes = await _changes(order["id"])
    return DeliveryState(changeable, rules.delivery(order["delivery"]), changes,
                         cast("dict[str, Any] | None", order["shipping_address"]))


async def api_view(order_id: int) -> dict[str, Any]:
    """For GET /api/v1/orders/{id}: the current address, window and safe place, and pending changes."""
    async with engine.read():
        order = await Order.select(Order.shipping_address, Order.delivery).where(Order.id == order_id).output(
            load_json=True).first()
        changes = await _changes(order_id)
    current = rules.delivery(order["delivery"] if order else None)
    return {
        "delivery": {"address": order["shipping_address"] if order else None, **current},
        "pending_changes": [c.as_json() for c in changes if c.pending],
    }


def date_choices(policy: Mapping[str, Any], processing_days: int, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The dates the shopper may choose, by the merchant's `delivery_date_choice_days` (0 or unset: none)."""
    return rules.date_range(today, processing_days, int(policy.get("delivery_date_choice_days") or 0))


def _payload(order: Mapping[str, Any], change: ChangeView) -> dict[str, Any]:
    return {"order_id": order["external_id"], "number": order["number"], "change_id": change.change_id,
            "kind": change.kind, "state": change.state, "change": change.as_json()}


async def _apply(order_id: int, kind: str, new: dict[str, Any], current_delivery: dict[str, Any]) -> None:
    """Write the order's one current value."""
    if kind == rules.ADDRESS:
        await Order.update({Order.shipping_address: new}).where(Order.id == order_id)
    else:
        await Order.update({Order.delivery: {**current_delivery, **new}}).where(Order.id == order_id)


async def request_change(order_id: int, kind: str, form: Mapping[str, Any], *, today: dt.date,
                         now: dt.datetime) -> ChangeView:
    """The shopper's change (after the step-up): read, stored, applied at once or left pending.
    Conflict when the order has shipped (or is cancelled, or is a pickup), or a change of the same kind
    is already waiting for the merchant; ValidationFailed for bad input."""
    if kind not in rules.KINDS:
        raise NotFound(rules.NOT_FOUND, "no such kind of change")
    async with engine.write():
        order = await Order.select(
            Order.id, Order.merchant, Order.external_id, Order.number, Order.fulfillment_type, Order.cancelled_at,
            Order.fulfillment_status, Order.shipping_address, Order.delivery, Order.fulfillment,
        ).where(Order.id == order_id).output(load_json=True).first()
        if order is None:
            raise NotFound(rules.NOT_FOUND, "no such order")
        if not await _is_changeable(order):
            raise Conflict(rules.NOT_CHANGEABLE, "the order has shipped; its delivery can no longer be changed")
        waiting = await OrderChange.exists().where((OrderChange.order == order_id) & (OrderChange.kind == kind)
                                                   & (OrderChange.state == rules.PENDING))
        if waiting:
            raise Conflict(rules.ALREADY_PENDING, "a change of this kind is waiting for the merchant")
        current = rules.delivery(order["delivery"])
        at_once = True
        if kind == rules.ADDRESS:
            old = cast(dict[str, Any], order["shipping_address"] or {})
            new = rules.read_address(form, old)
            at_once = rules.applies_at_once(old, new)
        elif kind == rules.WINDOW:
            merchant = await Merchant.select(Merchant.policy).where(Merchant.id == order["merchant"]).output(
                load_json=True).first()
            policy = cast(dict[str, Any], (merchant or {}).get("policy") or {})
            processing = int(cast(dict[str, Any], order["fulfillment"] or {}).get("processing_days") or 0)
            old = {"window": current["window"], "date": current["date"]}
            new = rules.read_window(form, current, date_choices(policy, processing, today))
        else:
            old = {"safe_place": current["safe_place"], "instructions": current["instructions"]}
            new = rules.read_safe_place(form, current)
        state = rules.APPLIED if at_once else rules.PENDING
        row = OrderChange(
            order=order_id, merchant=order["merchant"], change_id=f"chg_{secrets.token_hex(8)}", kind=kind,
            old_value=old, new_value=new, state=state, requested_by=rules.SHOPPER,
            decided_by=rules.SHOPPER if at_once else "", created_at=now, decided_at=now if at_once else None,
        )
        await row.save()
        if at_once:
            await _apply(order_id, kind, new, current)
        change = ChangeView.of({**row.to_dict(), "old_value": old, "new_value": new})
        await outbox.notify(order["merchant"], CHANGED_EVENT if at_once else REQUESTED_EVENT,
                            _payload(order, change), order_id=order_id, now=now)
    return change


async def decide(merchant_id: int, external_id: str, change_id: str, body: Any, *, now: dt.datetime) -> ChangeView:
    """The merchant accepts or refuses a pending change. NotFound for another merchant's (or no) change;
    Conflict when it is not pending (a replayed decision) or the order has shipped meanwhile."""
    decision, note = rules.read_decision(body)
    if not rules.CHANGE_ID.match(change_id) or not (0 < len(external_id) <= 200) or "\x00" in external_id:
        raise NotFound(rules.NOT_FOUND, "no such change", field="change_id")
    async with engine.write():
        order = await Order.select(
            Order.id, Order.merchant, Order.external_id, Order.number, Order.fulfillment_type, Order.cancelled_at,
            Order.fulfillment_status, Order.delivery, Order.fulfillment,
        ).where(Order.key == scoped(merchant_id, external_id)).output(load_json=True).first()
        row = await OrderChange.select().where(
            (OrderChange.change_id == change_id) & (OrderChange.merchant == merchant_id)
            & (OrderChange.order == (order["id"] if order else -1))).output(load_json=True).first()
        if order is None or row is None:
            raise NotFound(rules.NOT_FOUND, "no such change", field="change_id")
        if row["state"] != rules.PENDING:
            raise Conflict(rules.NOT_PENDING, f"the change is {row['state']}, not pending")
        if decision == rules.ACCEPT and not await _is_changeable(order):
            raise Conflict(rules.NOT_CHANGEABLE, "the order has shipped; its delivery can no longer be changed")
        state = rules.APPLIED if decision == rules.ACCEPT else rules.REFUSED
        done = await OrderChange.update({
            OrderChange.state: state, OrderChange.note: note, OrderChange.decided_by: rules.MERCHANT,
            OrderChange.decided_at: now,
        }).where((OrderChange.id == row["id"]) & (OrderChange.state == rules.PENDING)).returning(OrderChange.id)
        if not done:  # decided by a concurrent call
            raise Conflict(rules.NOT_PENDING, "the change is no longer pending")
        change = ChangeView.of({**row, "state": state, "note": note, "decided_by": rules.MERCHANT, "decided_at": now})
        if state == rules.APPLIED:
            await _apply(order["id"], change.kind, change.new, rules.delivery(order["delivery"]))
            await outbox.notify(merchant_id, CHANGED_EVENT, _payload(order, change), order_id=order["id"], now=now)
        else:
            await emails.enqueue(merchant_id, REFUSED_EVENT, _payload(order, change), order_id=order["id"], now=now)
    return change


async def kept_address(order_id: int, incoming: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The address a storefront's order update should store: when it still sends the address the
    shopper changed away from (it has not caught up with `order.changed`), the shopper's current one
    stays; any other address the storefront sends is its own correction and wins. Call inside the
    caller's write transaction."""
    if incoming is None:
        return None
    rows = await OrderChange.select(OrderChange.old_value, OrderChange.new_value).where(
        (OrderChange.order == order_id) & (OrderChange.kind == rules.ADDRESS) & (OrderChange.state == rules.APPLIED)
    ).order_by(OrderChange.id, ascending=False).output(load_json=True)
    if rows and any(rules.same_address(r["old_value"], incoming) for r in rows):
        return cast(dict[str, Any], rows[0]["new_value"])
    return incoming
