"""Pickup reads shaped for the shopper's section and the staff console."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orderhub.db import engine
from orderhub.db.orders import rules as order_rules
from orderhub.db.orders.tables import Order, OrderLine
from orderhub.db.pickup import rules
from orderhub.db.pickup.tables import Pickup, PickupEvent


@dataclass(frozen=True)
class PickupView:
    id: int
    order_id: int
    state: str
    code: str
    store_code: str
    ready_at: dt.datetime | None
    deadline: dt.datetime | None
    eta: dt.datetime | None
    arrived_at: dt.datetime | None
    bay: str
    car: str
    alternate_name: str
    picked_up_at: dt.datetime | None
    picked_up_by: str

    @property
    def display_code(self) -> str:
        return rules.display_code(self.code)

    @property
    def qr_payload(self) -> str:
        return rules.qr_payload(self.code)

    @property
    def final(self) -> bool:
        return self.state in rules.FINAL or self.state == "expired"


def _view(p: dict) -> PickupView:
    return PickupView(
        id=p["id"], order_id=p["order"], state=p["state"], code=p["code_key"].split(":", 1)[1],
        store_code=p["store_code"], ready_at=p["ready_at"], deadline=p["deadline"], eta=p["eta"],
        arrived_at=p["arrived_at"], bay=p["bay"], car=p["car"], alternate_name=p["alternate_name"],
        picked_up_at=p["picked_up_at"], picked_up_by=p["picked_up_by"],
    )


async def for_order(order_id: int) -> PickupView | None:
    async with engine.read():
        row = await Pickup.select().where(Pickup.order == order_id).first()
    return _view(row) if row else None


async def state_of(order_id: int) -> str | None:
    async with engine.read():
        row = await Pickup.select(Pickup.state).where(Pickup.order == order_id).first()
    return row["state"] if row else None


@dataclass(frozen=True)
class QueueItem:
    pickup: PickupView
    number: str
    name: str
    items: int

    def waiting_minutes(self, now: dt.datetime) -> int | None:
        if self.pickup.state != "arrived" or self.pickup.arrived_at is None:
            return None
        return max(0, int((now - self.pickup.arrived_at).total_seconds() // 60))


async def store_queue(merchant_id: int, store_code: str, *, now: dt.datetime) -> dict[str, list[QueueItem]]:
    """Arrived first (longest waiting first), then on the way, then ready; recent hand-overs for undo."""
    async with engine.read():
        rows = await Pickup.select().where(
            (Pickup.merchant == merchant_id) & (Pickup.store_code == store_code)
            & (Pickup.state.is_in(["ready", "on_the_way", "arrived"])
               | ((Pickup.state == "picked_up") & (Pickup.picked_up_at >= now - rules.UNDO_WINDOW)))
        ).limit(500)
        order_ids = [r["order"] for r in rows] or [0]
        orders = {o["id"]: o for o in await Order.select(Order.id, Order.number, Order.customer, Order.locale)
                  .output(load_json=True).where(Order.id.is_in(order_ids))}
        counts: dict[int, int] = {}
        for ln in await OrderLine.select(OrderLine.order, OrderLine.quantity).where(OrderLine.order.is_in(order_ids)):
            counts[ln["order"]] = counts.get(ln["order"], 0) + ln["quantity"]
    out: dict[str, list[QueueItem]] = {"arrived": [], "on_the_way": [], "ready": [], "picked_up": []}
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    for r in rows:
        o = orders.get(r["order"])
        if o is None:
            continue
        out[r["state"]].append(QueueItem(_view(r), o["number"], _name(o), counts.get(r["order"], 0)))
    out["arrived"].sort(key=lambda q: q.pickup.arrived_at or far)
    out["on_the_way"].sort(key=lambda q: q.pickup.eta or far)
    out["ready"].sort(key=lambda q: q.pickup.deadline or far)
    out["picked_up"].sort(key=lambda q: q.pickup.picked_up_at or far, reverse=True)
    return out


def _name(order: dict) -> str:
    """Staff see the full name to check against an ID."""
    return str((order.get("customer") or {}).get("name", "")) or order_rules.first_name("", order.get("locale", ""))


@dataclass(frozen=True)
class Detail:
    pickup: PickupView
    number: str
    name: str
    lines: list[dict]
    events: list[dict]


async def detail(pickup_id: int, merchant_id: int, store_code: str) -> Detail | None:
    async with engine.read():
        p = await Pickup.select().where((Pickup.id == pickup_id) & (Pickup.merchant == merchant_id)
                                        & (Pickup.store_code == store_code)).first()
        if p is None:
            return None
        o = await Order.select(Order.number, Order.customer, Order.locale).output(load_json=True).where(
            Order.id == p["order"]).first()
        lines = await OrderLine.select(OrderLine.title, OrderLine.variant, OrderLine.quantity, OrderLine.sku).where(
            OrderLine.order == p["order"]).order_by(OrderLine.position)
        events = await PickupEvent.select().output(load_json=True).where(PickupEvent.pickup == pickup_id).order_by(
            PickupEvent.at, ascending=False).limit(20)
    return Detail(_view(p), o["number"], _name(o), lines, events)
