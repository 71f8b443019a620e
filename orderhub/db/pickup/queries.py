"""Pickup reads shaped for the shopper's section and the staff console.

The views answer every state question a page asks (`is_final`, `shows_arrival_prompt`, `badge`,
...) from `orderhub.db.pickup.rules`, so templates and controllers never compare state names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from orderhub.db import engine, statements
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Store
from orderhub.db.orders import rules as order_rules
from orderhub.db.orders.tables import Order, OrderLine
from orderhub.db.pickup import rules
from orderhub.db.pickup.tables import Pickup, PickupEvent


@dataclass(frozen=True)
class PickupView:
    id: int | None  # None: the order's pickup row does not exist yet (state INITIAL)
    order_id: int
    merchant_id: int
    state: str
    code: str
    store_code: str
    ready_at: dt.datetime | None = None
    deadline: dt.datetime | None = None
    eta: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    bay: str = ""
    car: str = ""
    alternate_name: str = ""
    picked_up_at: dt.datetime | None = None
    picked_up_by: str = ""

    @classmethod
    def initial(cls, order_id: int, merchant_id: int, store_code: str = "") -> PickupView:
        """A pickup order whose pickup has not started yet."""
        return cls(id=None, order_id=order_id, merchant_id=merchant_id, state=rules.INITIAL, code="",
                   store_code=store_code)

    @property
    def display_code(self) -> str:
        return rules.display_code(self.code)

    @property
    def qr_payload(self) -> str:
        return rules.qr_payload(self.code)

    # -- what the state means (rules) --------------------------------------------------------
    @property
    def is_final(self) -> bool:
        return rules.is_final(self.state)

    @property
    def is_live(self) -> bool:
        """The page keeps listening for changes."""
        return not self.is_final

    @property
    def is_collectable(self) -> bool:
        return rules.is_collectable(self.state)

    @property
    def can_hand_over(self) -> bool:
        return rules.is_collectable(self.state)

    @property
    def shows_code(self) -> bool:
        return self.id is not None and rules.is_collectable(self.state)

    @property
    def shows_arrival_prompt(self) -> bool:
        return rules.shows_arrival_prompt(self.state)

    @property
    def shows_on_my_way_prompt(self) -> bool:
        return rules.shows_on_my_way_prompt(self.state)

    @property
    def shows_alternate_prompt(self) -> bool:
        return rules.shows_alternate_prompt(self.state)

    @property
    def is_being_prepared(self) -> bool:
        return rules.is_being_prepared(self.state)

    @property
    def is_on_the_way(self) -> bool:
        return self.state == rules.ON_THE_WAY

    @property
    def has_arrived(self) -> bool:
        return rules.is_waiting(self.state)

    @property
    def is_picked_up(self) -> bool:
        return self.state == rules.PICKED_UP

    @property
    def is_expired(self) -> bool:
        return self.state == rules.EXPIRED

    @property
    def is_cancelled(self) -> bool:
        return self.state == rules.CANCELLED

    @property
    def headline(self) -> str:
        """The shopper's headline (an English msgid)."""
        return rules.headline(self.state)

    @property
    def badge(self) -> rules.Badge:
        """The staff console's badge (tone and English msgid)."""
        return rules.badge(self.state)

    def handed_over_by(self, store_name: str, *, staff: bool = False) -> str:
        return rules.handed_over_by(self.picked_up_by, store_name, staff=staff)

    def can_undo(self, now: dt.datetime) -> bool:
        return rules.can_undo(self.state, self.picked_up_at, now)

    def waiting_minutes(self, now: dt.datetime) -> int | None:
        if not self.has_arrived or self.arrived_at is None:
            return None
        return max(0, int((now - self.arrived_at).total_seconds() // 60))


def _code_of(code_key: str) -> str:
    """The pickup code of a `scoped(merchant, code)` key."""
    return code_key.partition(":")[2]


def view_of(p: dict[str, Any]) -> PickupView:
    """A Pickup row as its view (for this area's services)."""
    return PickupView(
        id=p["id"], order_id=p["order"], merchant_id=p["merchant"], state=p["state"], code=_code_of(p["code_key"]),
        store_code=p["store_code"], ready_at=p["ready_at"], deadline=p["deadline"], eta=p["eta"],
        arrived_at=p["arrived_at"], bay=p["bay"], car=p["car"], alternate_name=p["alternate_name"],
        picked_up_at=p["picked_up_at"], picked_up_by=p["picked_up_by"],
    )


_PICKUP = statements.columns(Pickup, "p")
_FOR_ORDER = statements.Statement(f'SELECT {_PICKUP.select} FROM pickups p WHERE p."order" = ?')


def hub_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The read `for_order` makes for the hub's order page, from the order's row (prefetched
    with the hub's own reads: one round trip on PostgreSQL, `statements.prefetch`)."""
    return [_FOR_ORDER.read(order["id"])]


async def for_order(order_id: int) -> PickupView | None:
    row = _PICKUP.row(await _FOR_ORDER.read(order_id).first())
    return view_of(row) if row else None


_STATE = statements.Statement('SELECT p.state FROM pickups p WHERE p."order" = ?')


async def state_of(order_id: int) -> str | None:
    row = await _STATE.first(order_id)
    return row["state"] if row else None


@dataclass(frozen=True)
class QueueItem:
    pickup: PickupView
    number: str
    name: str
    items: int

    def waiting_minutes(self, now: dt.datetime) -> int | None:
        return self.pickup.waiting_minutes(now)


@dataclass(frozen=True)
class StoreQueue:
    """A store's pickup queue: arrived first (longest waiting first), then on the way, then ready;
    recent hand-overs (still undoable) last."""

    store_name: str | None
    timezone: str | None
    arrived: list[QueueItem] = field(default_factory=list)
    on_the_way: list[QueueItem] = field(default_factory=list)
    ready: list[QueueItem] = field(default_factory=list)
    picked_up: list[QueueItem] = field(default_factory=list)

    def group(self, state: str) -> list[QueueItem]:
        return {rules.ARRIVED: self.arrived, rules.ON_THE_WAY: self.on_the_way, rules.READY: self.ready,
                rules.PICKED_UP: self.picked_up}[state]


async def store_queue(merchant_id: int, store_code: str, *, now: dt.datetime) -> StoreQueue:
    async with engine.read():
        rows = await Pickup.select().where(
            (Pickup.merchant == merchant_id) & (Pickup.store_code == store_code)
            & (Pickup.state.is_in(list(rules.COLLECTABLE))
               | ((Pickup.state == rules.PICKED_UP) & (Pickup.picked_up_at >= now - rules.UNDO_WINDOW)))
        ).limit(500)
        order_ids = [r["order"] for r in rows] or [0]
        orders = {o["id"]: o for o in await Order.select(Order.id, Order.number, Order.customer, Order.locale)
                  .output(load_json=True).where(Order.id.is_in(order_ids))}
        counts: dict[int, int] = {}
        for ln in await OrderLine.select(OrderLine.order, OrderLine.quantity).where(OrderLine.order.is_in(order_ids)):
            counts[ln["order"]] = counts.get(ln["order"], 0) + ln["quantity"]
        store = await _store(merchant_id, store_code)
    queue = StoreQueue(store_name=store["name"] if store else None, timezone=store["timezone"] if store else None)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    for r in rows:
        o = orders.get(r["order"])
        if o is None:
            continue
        queue.group(r["state"]).append(QueueItem(view_of(r), o["number"], _name(o), counts.get(r["order"], 0)))
    queue.arrived.sort(key=lambda q: q.pickup.arrived_at or far)
    queue.on_the_way.sort(key=lambda q: q.pickup.eta or far)
    queue.ready.sort(key=lambda q: q.pickup.deadline or far)
    queue.picked_up.sort(key=lambda q: q.pickup.picked_up_at or far, reverse=True)
    return queue


async def _store(merchant_id: int, store_code: str) -> dict[str, Any] | None:
    return await Store.select(Store.name, Store.timezone).where(Store.key == scoped(merchant_id, store_code)).first()


def _name(order: dict[str, Any]) -> str:
    """Staff see the full name to check against an ID."""
    return str((order.get("customer") or {}).get("name", "")) or order_rules.first_name("", order.get("locale", ""))


@dataclass(frozen=True)
class ItemLine:
    title: str
    variant: str
    quantity: int
    sku: str
    line_id: str


@dataclass(frozen=True)
class EventView:
    kind: str
    actor: str
    at: dt.datetime
    details: dict[str, Any]

    @property
    def label(self) -> str | None:
        """The kind as an English msgid (None: an unknown kind, shown as recorded)."""
        return rules.event_label(self.kind)

    @property
    def staff_email(self) -> str | None:
        return rules.staff_email(self.actor)

    @property
    def actor_label(self) -> str | None:
        return rules.actor_label(self.actor)


@dataclass(frozen=True)
class Detail:
    pickup: PickupView
    number: str
    name: str
    lines: list[ItemLine]
    events: list[EventView]
    timezone: str | None  # the store's
    store_name: str | None = None


async def detail(pickup_id: int, merchant_id: int, store_code: str) -> Detail | None:
    async with engine.read():
        p = await Pickup.select().where((Pickup.id == pickup_id) & (Pickup.merchant == merchant_id)
                                        & (Pickup.store_code == store_code)).first()
        if p is None:
            return None
        o = await Order.select(Order.number, Order.customer, Order.locale).output(load_json=True).where(
            Order.id == p["order"]).first()
        assert o is not None  # the pickup's order (a foreign key)
        lines = await OrderLine.select(OrderLine.title, OrderLine.variant, OrderLine.quantity, OrderLine.sku,
                                       OrderLine.line_id).where(
            OrderLine.order == p["order"]).order_by(OrderLine.position)
        events = await PickupEvent.select(PickupEvent.kind, PickupEvent.actor, PickupEvent.at, PickupEvent.details
                                          ).output(load_json=True).where(PickupEvent.pickup == pickup_id).order_by(
            PickupEvent.at, ascending=False).limit(20)
        store = await _store(merchant_id, store_code)
    return Detail(
        view_of(p), o["number"], _name(o),
        [ItemLine(ln["title"], ln["variant"], ln["quantity"], ln["sku"], ln["line_id"]) for ln in lines],
        [EventView(e["kind"], e["actor"], e["at"], e["details"] or {}) for e in events],
        store["timezone"] if store else None,
        store["name"] if store else None,
    )
