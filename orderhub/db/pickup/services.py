"""Pickup writes: every state change goes through here, inside one write transaction, with an event
row (who and when), Order.fulfillment_status kept in step, and the merchant notified."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orderhub.db import engine
from orderhub.db.errors import Conflict, NotFound
from orderhub.db.merchants.tables import Store, User
from orderhub.db.orders.tables import Order
from orderhub.db.outbox.services import notify
from orderhub.db.pickup import rules
from orderhub.db.pickup.tables import Pickup, PickupEvent
from orderhub.db.validation import Reader

MAX_CAR = 120
MAX_NAME = 100


async def _notify(merchant_id: int, event: str, payload: dict, *, order_id: int, now: dt.datetime) -> None:
    """Through the shared outbox (signed webhook with retries, delivery log), in our transaction."""
    await notify(merchant_id, event, payload, order_id=order_id, now=now)


async def _record(pickup_id: int, kind: str, actor: str, now: dt.datetime, details: dict | None = None) -> None:
    await PickupEvent.insert(PickupEvent(pickup=pickup_id, kind=kind, actor=actor, at=now, details=details or {}))


async def _sync_order(order_id: int, state: str, now: dt.datetime) -> None:
    status = rules.FULFILLMENT_STATUS[state]
    values: dict = {Order.fulfillment_status: status, Order.updated_at: now}
    if state == "cancelled":
        values[Order.cancelled_at] = now
    await Order.update(values).where(Order.id == order_id)


def _payload(order: dict, pickup: dict, state: str) -> dict:
    return {"order_id": order["external_id"], "number": order["number"], "store": pickup["store_code"],
            "state": state,
            "pickup_deadline": pickup["deadline"].isoformat() if pickup.get("deadline") else None}


async def ensure(order_id: int, *, now: dt.datetime) -> dict:
    """The pickup row of a pickup order, created in state `placed` on first use."""
    async with engine.write():
        row = await Pickup.select().where(Pickup.order == order_id).first()
        if row is not None:
            return row
        order = await Order.select().output(load_json=True).where(Order.id == order_id).first()
        if order is None or order["fulfillment_type"] != "pickup":
            raise NotFound("not a pickup order")
        store_code = (order["fulfillment"] or {}).get("store_code") or ""
        for _ in range(5):
            code = rules.new_code()
            key = f"{order['merchant']}:{code}"
            if not await Pickup.exists().where(Pickup.code_key == key):
                break
        await Pickup.insert(Pickup(merchant=order["merchant"], order=order_id, store_code=store_code, state="placed",
                                   code_key=key, updated_at=now))
        return await Pickup.select().where(Pickup.order == order_id).first()


def code_of(pickup: dict) -> str:
    return pickup["code_key"].split(":", 1)[1]


# --- merchant (API) ------------------------------------------------------------------------------

async def merchant_update(merchant_id: int, external_id: str, body: Any, *, now: dt.datetime) -> dict:
    """PUT /api/v1/orders/{id}/pickup: preparing, ready (ready_at, pickup_deadline), cancelled."""
    r = Reader()
    data = r.obj(body, "body") or {}
    status = r.choice(data, "status", "status", ("preparing", "ready", "cancelled")) if data else None
    ready_at = r.timestamp(data, "ready_at", "ready_at", required=False) if data else None
    deadline = r.timestamp(data, "pickup_deadline", "pickup_deadline", required=False) if data else None
    if data and status != "ready":
        for key in ("ready_at", "pickup_deadline"):
            if data.get(key) is not None:
                r.error(key, "only goes with status \"ready\"")
    if ready_at and deadline and deadline <= ready_at:
        r.error("pickup_deadline", "must be after ready_at")
    r.raise_if_any()
    async with engine.write():
        order = await Order.select().output(load_json=True).where(
            Order.key == f"{merchant_id}:{external_id}").first()
        if order is None:
            raise NotFound("no such order")
        if order["fulfillment_type"] != "pickup":
            raise Conflict("this order is shipped, not picked up in store")
        pickup = await ensure(order["id"], now=now)
        current = pickup["state"]
        try:
            rules.check_move("merchant", current, status)
        except rules.IllegalMove as exc:
            raise Conflict(exc.message) from None
        values: dict = {}
        if status == "ready":
            ready = ready_at or pickup["ready_at"] or now
            if deadline is None:
                if pickup["deadline"] is not None and current == "ready" and ready_at is None:
                    deadline = pickup["deadline"]
                else:
                    store = await Store.select(Store.hold_days, Store.timezone).where(
                        Store.key == f"{merchant_id}:{pickup['store_code']}").first()
                    deadline = rules.default_deadline(ready, store["hold_days"] if store else 7,
                                                      store["timezone"] if store else "UTC")
            if deadline <= ready:
                raise Conflict("pickup_deadline must be after ready_at")
            values = {Pickup.ready_at: ready, Pickup.deadline: deadline}
            if current == "expired" or (current == "ready" and deadline != pickup["deadline"]):
                values[Pickup.reminded_at] = None
        changed_state = current != status
        changed = changed_state or any(pickup[c._meta.name] != v for c, v in values.items())
        if changed:
            await Pickup.update({Pickup.state: status, Pickup.updated_at: now, **values}).where(
                Pickup.id == pickup["id"])
            new_state = status
            pickup = await Pickup.select().where(Pickup.id == pickup["id"]).first()
            await _record(pickup["id"], status, "merchant", now,
                          {"ready_at": _iso(pickup["ready_at"]), "deadline": _iso(pickup["deadline"])})
            if changed_state:
                await _sync_order(order["id"], new_state, now)
            if status in ("ready", "cancelled"):
                await _notify(merchant_id, f"pickup.{status}", _payload(order, pickup, new_state),
                              order_id=order["id"], now=now)
        return {"order_id": order["id"], **as_json(pickup)}


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def as_json(pickup: dict) -> dict:
    return {"status": pickup["state"], "ready_at": _iso(pickup["ready_at"]),
            "pickup_deadline": _iso(pickup["deadline"]), "store": pickup["store_code"],
            "picked_up_at": _iso(pickup["picked_up_at"])}


# --- shopper (hub page) --------------------------------------------------------------------------

async def _shopper_move(order_id: int, target: str, values: dict, details: dict, *, now: dt.datetime) -> dict:
    async with engine.write():
        pickup = await ensure(order_id, now=now)
        try:
            rules.check_move("shopper", pickup["state"], target)
        except rules.IllegalMove as exc:
            raise Conflict(exc.message) from None
        stamp = {Pickup.on_the_way_at: now} if target == "on_the_way" else {Pickup.arrived_at: now}
        if target == "arrived" and pickup["state"] == "arrived":
            stamp = {}  # correcting the bay or car keeps the waiting time
        updated = await Pickup.update({Pickup.state: target, Pickup.updated_at: now, **stamp, **values}).where(
            (Pickup.id == pickup["id"]) & Pickup.state.is_in(list(rules.MOVES[("shopper", target)]))
        ).returning(Pickup.id)
        if not updated:
            raise Conflict("the pickup changed meanwhile; reload the page")
        await _record(pickup["id"], target, "shopper", now, details)
        if target == "arrived" and pickup["state"] != "arrived":
            order = await Order.select(Order.external_id, Order.number).where(Order.id == order_id).first()
            await _notify(pickup["merchant"], "pickup.arrived", {**_payload(order, pickup, target), **details},
                          order_id=order_id, now=now)
        return await Pickup.select().where(Pickup.id == pickup["id"]).first()


def read_on_the_way(form: dict) -> int:
    r = Reader()
    raw = str(form.get("eta_minutes") or "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 24 * 60:
        r.error("eta_minutes", "Choose when you will arrive.")
    r.raise_if_any()
    return int(raw)


async def on_the_way(order_id: int, eta_minutes: int, *, now: dt.datetime) -> dict:
    eta = now + dt.timedelta(minutes=eta_minutes)
    return await _shopper_move(order_id, "on_the_way", {Pickup.eta: eta}, {"eta": eta.isoformat()}, now=now)


def read_arrival(form: dict, bays: list[str]) -> tuple[str, str]:
    r = Reader()
    bay = str(form.get("bay") or "").strip()
    car = str(form.get("car") or "").strip()
    if bay and bay not in bays:
        r.error("bay", "Choose one of the bays.")
    if len(car) > MAX_CAR:
        r.error("car", "too long")
    if any(ord(c) < 32 for c in car):
        r.error("car", "control characters")
    if bay and not car:
        r.error("car", "Describe your car so staff can find you.")
    r.raise_if_any()
    return bay, car


async def arrived(order_id: int, bay: str, car: str, *, now: dt.datetime) -> dict:
    return await _shopper_move(order_id, "arrived", {Pickup.bay: bay, Pickup.car: car}, {"bay": bay, "car": car},
                               now=now)


def read_alternate(form: dict) -> str:
    r = Reader()
    name = str(form.get("alternate_name") or "").strip()
    if len(name) > MAX_NAME:
        r.error("alternate_name", "too long")
    if any(ord(c) < 32 for c in name):
        r.error("alternate_name", "control characters")
    r.raise_if_any()
    return name


async def set_alternate(order_id: int, name: str, *, now: dt.datetime) -> dict:
    async with engine.write():
        pickup = await ensure(order_id, now=now)
        if pickup["state"] in ("picked_up", "cancelled", "expired"):
            raise Conflict("this pickup is closed")
        await Pickup.update({Pickup.alternate_name: name, Pickup.updated_at: now}).where(Pickup.id == pickup["id"])
        await _record(pickup["id"], "alternate", "shopper", now, {"name": name})
        return await Pickup.select().where(Pickup.id == pickup["id"]).first()


# --- staff (console) -----------------------------------------------------------------------------

def _actor(user: User | dict) -> str:
    email = user["email"] if isinstance(user, dict) else user.email
    return f"staff:{email}"


def _scope(user) -> tuple[int, str]:
    if isinstance(user, dict):
        return user["merchant"], user["store_code"] or ""
    return user.merchant, user.store_code or ""


async def find_for_staff(user, code: str) -> dict:
    """The pickup a typed or scanned code names, in the staff member's own store; NotFound otherwise."""
    merchant_id, store_code = _scope(user)
    canonical = rules.normalize_code(code)
    if canonical is None:
        raise NotFound("not a pickup code")
    async with engine.read():
        pickup = await Pickup.select().where(Pickup.code_key == f"{merchant_id}:{canonical}").first()
    if pickup is None or pickup["store_code"] != store_code:
        raise NotFound("no pickup with this code at this store")
    return pickup


async def hand_over(user, pickup_id: int, *, now: dt.datetime) -> dict:
    """Atomic: only one of two simultaneous confirmations wins; the other hears "already picked up"."""
    merchant_id, store_code = _scope(user)
    async with engine.write():
        pickup = await Pickup.select().where(
            (Pickup.id == pickup_id) & (Pickup.merchant == merchant_id) & (Pickup.store_code == store_code)).first()
        if pickup is None:
            raise NotFound("no such pickup at this store")
        updated = await Pickup.update({
            Pickup.state: "picked_up", Pickup.previous_state: pickup["state"], Pickup.picked_up_at: now,
            Pickup.picked_up_by: _actor(user)[6:], Pickup.updated_at: now,
        }).where((Pickup.id == pickup_id) & Pickup.state.is_in(list(rules.COLLECTABLE))).returning(Pickup.id)
        if not updated:
            current = (await Pickup.select(Pickup.state).where(Pickup.id == pickup_id).first())["state"]
            try:
                rules.check_move("staff", current, "picked_up")
            except rules.IllegalMove as exc:
                raise Conflict(exc.message) from None
            raise Conflict("already picked up")  # pragma: no cover - raced
        await _record(pickup_id, "picked_up", _actor(user), now)
        await _sync_order(pickup["order"], "picked_up", now)
        order = await Order.select(Order.external_id, Order.number).where(Order.id == pickup["order"]).first()
        fresh = await Pickup.select().where(Pickup.id == pickup_id).first()
        await _notify(merchant_id, "pickup.picked_up", {**_payload(order, fresh, "picked_up"),
                                                        "by": fresh["picked_up_by"], "at": now.isoformat()},
                      order_id=pickup["order"], now=now)
        return fresh


async def undo_hand_over(user, pickup_id: int, *, now: dt.datetime) -> dict:
    merchant_id, store_code = _scope(user)
    async with engine.write():
        pickup = await Pickup.select().where(
            (Pickup.id == pickup_id) & (Pickup.merchant == merchant_id) & (Pickup.store_code == store_code)).first()
        if pickup is None:
            raise NotFound("no such pickup at this store")
        if not rules.can_undo(pickup["state"], pickup["picked_up_at"], now):
            raise Conflict("this hand-over can no longer be undone")
        back = pickup["previous_state"] or "ready"
        await Pickup.update({Pickup.state: back, Pickup.picked_up_at: None, Pickup.picked_up_by: "",
                             Pickup.updated_at: now}).where(
            (Pickup.id == pickup_id) & (Pickup.state == "picked_up"))
        await _record(pickup_id, "undo", _actor(user), now, {"back_to": back})
        await _sync_order(pickup["order"], back, now)
        return await Pickup.select().where(Pickup.id == pickup_id).first()


# --- system (jobs) -------------------------------------------------------------------------------

async def run_deadlines(*, now: dt.datetime, reminder_before: dt.timedelta = rules.REMINDER_BEFORE) -> dict:
    """Expire ready pickups past their deadline; record a reminder event once, `reminder_before` ahead.
    Returns {"expired": [order ids], "reminded": [order ids]}."""
    expired: list[int] = []
    reminded: list[int] = []
    async with engine.write():
        rows = await Pickup.select().where(
            Pickup.state.is_in(["ready", "on_the_way"]) & Pickup.deadline.is_not_null())
        for p in rows:
            order = None
            if rules.is_overdue(p["state"], p["deadline"], now):
                done = await Pickup.update({Pickup.state: "expired", Pickup.updated_at: now}).where(
                    (Pickup.id == p["id"]) & (Pickup.state == "ready")).returning(Pickup.id)
                if done:
                    await _record(p["id"], "expired", "system", now)
                    await _sync_order(p["order"], "expired", now)
                    order = await Order.select(Order.external_id, Order.number).where(Order.id == p["order"]).first()
                    await _notify(p["merchant"], "pickup.expired", _payload(order, p, "expired"),
                                  order_id=p["order"], now=now)
                    expired.append(p["order"])
            elif rules.needs_reminder(p["state"], p["deadline"], p["reminded_at"], now, reminder_before):
                await Pickup.update({Pickup.reminded_at: now}).where(Pickup.id == p["id"])
                await _record(p["id"], "reminder", "system", now, {"deadline": _iso(p["deadline"])})
                order = await Order.select(Order.external_id, Order.number).where(Order.id == p["order"]).first()
                await _notify(p["merchant"], "pickup.reminder", _payload(order, p, p["state"]),
                              order_id=p["order"], now=now)
                reminded.append(p["order"])
    return {"expired": expired, "reminded": reminded}
