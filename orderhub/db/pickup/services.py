"""Pickup writes: every state change goes through here, inside one write transaction, with an event
row (who and when), Order.fulfillment_status kept in step, and the merchant notified."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from piccolo.columns import Column

from orderhub.db import engine
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Store
from orderhub.db.orders.tables import Order
from orderhub.db.outbox.services import notify
from orderhub.db.pickup import rules
from orderhub.db.pickup.queries import PickupView, view_of
from orderhub.db.pickup.rules import Clerk
from orderhub.db.pickup.tables import Pickup, PickupEvent
from orderhub.db.validation import Reader, is_digits

MAX_CAR = 120
MAX_NAME = 100


async def _notify(merchant_id: int, event: str, payload: dict[str, Any], *, order_id: int, now: dt.datetime) -> None:
    """Through the shared outbox (signed webhook with retries, delivery log), in our transaction."""
    await notify(merchant_id, event, payload, order_id=order_id, now=now)


async def _record(pickup_id: int, kind: str, actor: str, now: dt.datetime, details: dict[str, Any] | None = None) -> None:
    await PickupEvent.insert(PickupEvent(pickup=pickup_id, kind=kind, actor=actor, at=now, details=details or {}))


async def _sync_order(order_id: int, state: str, now: dt.datetime) -> None:
    status = rules.FULFILLMENT_STATUS[state]
    values: dict[Column | str, Any] = {Order.fulfillment_status: status, Order.updated_at: now}
    if rules.cancels_order(state):
        values[Order.cancelled_at] = now
    await Order.update(values).where(Order.id == order_id)


def _payload(order: dict[str, Any], pickup: dict[str, Any], state: str) -> dict[str, Any]:
    return {"order_id": order["external_id"], "number": order["number"], "store": pickup["store_code"],
            "state": state, "pickup_deadline": _iso(pickup.get("deadline"))}


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


async def _row(pickup_id: int) -> dict[str, Any]:
    """A pickup the caller's transaction has already read or written (so it exists)."""
    row = await Pickup.select().where(Pickup.id == pickup_id).first()
    assert row is not None
    return row


async def _ensure_row(order_id: int, *, now: dt.datetime) -> dict[str, Any]:
    async with engine.write():
        row = await Pickup.select().where(Pickup.order == order_id).first()
        if row is not None:
            return row
        order = await Order.select(Order.merchant, Order.fulfillment_type, Order.fulfillment).output(
            load_json=True).where(Order.id == order_id).first()
        if order is None or not rules.is_pickup_order(order["fulfillment_type"]):
            raise NotFound("pickup.not_a_pickup_order", "not a pickup order")
        store_code = (order["fulfillment"] or {}).get("store_code") or ""
        for _ in range(5):
            key = scoped(order["merchant"], rules.new_code())
            if not await Pickup.exists().where(Pickup.code_key == key):
                break
        await Pickup.insert(Pickup(merchant=order["merchant"], order=order_id, store_code=store_code,
                                   state=rules.INITIAL, code_key=key, updated_at=now))
        created = await Pickup.select().where(Pickup.order == order_id).first()
        assert created is not None  # inserted just above, in this transaction
        return created


async def ensure(order_id: int, *, now: dt.datetime) -> PickupView:
    """The pickup of a pickup order, created in its initial state on first use."""
    return view_of(await _ensure_row(order_id, now=now))


# --- merchant (API) ------------------------------------------------------------------------------

async def merchant_update(merchant_id: int, external_id: str, body: Any, *, now: dt.datetime) -> PickupView:
    """PUT /api/v1/orders/{id}/pickup: preparing, ready (ready_at, pickup_deadline), cancelled."""
    r = Reader()
    data = r.obj(body, "body") or {}
    status = r.choice(data, "status", "status", rules.MERCHANT_TARGETS)
    ready_at = r.timestamp(data, "ready_at", "ready_at", required=False) if data else None
    deadline = r.timestamp(data, "pickup_deadline", "pickup_deadline", required=False) if data else None
    if data and not rules.takes_ready_times(status):
        for key in ("ready_at", "pickup_deadline"):
            if data.get(key) is not None:
                r.error(key, "only goes with status \"ready\"")
    if ready_at and deadline and deadline <= ready_at:
        r.error("pickup_deadline", "must be after ready_at")
    r.raise_if_any()
    async with engine.write():
        order = await Order.select().output(load_json=True).where(Order.key == scoped(merchant_id, external_id)).first()
        if order is None:
            raise NotFound("pickup.order_not_found", "no such order")
        if not rules.is_pickup_order(order["fulfillment_type"]):
            raise Conflict("pickup.not_a_pickup_order", "this order is shipped, not picked up in store")
        pickup = await _ensure_row(order["id"], now=now)
        current = pickup["state"]
        rules.check_move("merchant", current, status)
        assert status is not None  # check_move refuses a missing status
        values: dict[Column, Any] = {}
        if rules.takes_ready_times(status):
            ready = ready_at or pickup["ready_at"] or now
            if deadline is None:
                if rules.keeps_deadline(current, pickup["deadline"], ready_at is not None):
                    deadline = pickup["deadline"]
                else:
                    store = await Store.select(Store.hold_days, Store.timezone).where(
                        Store.key == scoped(merchant_id, pickup["store_code"])).first()
                    deadline = rules.default_deadline(ready, store["hold_days"] if store else 7,
                                                      store["timezone"] if store else "UTC")
            if deadline <= ready:
                raise Conflict("pickup.deadline_before_ready", "pickup_deadline must be after ready_at")
            values = {Pickup.ready_at: ready, Pickup.deadline: deadline}
            if rules.resets_reminder(current, pickup["deadline"], deadline):
                values[Pickup.reminded_at] = None
        changed_state = not rules.is_repeat(current, status)
        changed = changed_state or any(pickup[c._meta.name] != v for c, v in values.items())
        if changed:
            await Pickup.update(cast(dict[Column | str, Any], {Pickup.state: status, Pickup.updated_at: now, **values})).where(
                Pickup.id == pickup["id"])
            pickup = await _row(pickup["id"])
            await _record(pickup["id"], status, "merchant", now,
                          {"ready_at": _iso(pickup["ready_at"]), "deadline": _iso(pickup["deadline"])})
            if changed_state:
                await _sync_order(order["id"], status, now)
            if status in rules.MERCHANT_NOTIFIES:
                await _notify(merchant_id, f"pickup.{status}", _payload(order, pickup, status),
                              order_id=order["id"], now=now)
        return view_of(pickup)


# --- shopper (hub page) --------------------------------------------------------------------------

async def _shopper_move(
    order_id: int, target: str, values: dict[Column | str, Any], details: dict[str, Any], *, now: dt.datetime
) -> PickupView:
    async with engine.write():
        pickup = await _ensure_row(order_id, now=now)
        current = pickup["state"]
        rules.check_move("shopper", current, target)
        first_arrival = rules.is_first_arrival(current, target)
        stamp: dict[Column | str, Any] = {Pickup.arrived_at: now} if first_arrival else {}
        updated = await Pickup.update({Pickup.state: target, Pickup.updated_at: now, **stamp, **values}).where(
            (Pickup.id == pickup["id"]) & Pickup.state.is_in(list(rules.MOVES[("shopper", target)]))
        ).returning(Pickup.id)
        if not updated:
            raise Conflict("pickup.changed", "the pickup changed meanwhile; reload the page")
        await _record(pickup["id"], target, "shopper", now, details)
        if first_arrival:
            order = await Order.select(Order.external_id, Order.number).where(Order.id == order_id).first()
            assert order is not None  # the pickup's order (a foreign key)
            await _notify(pickup["merchant"], "pickup.arrived", {**_payload(order, pickup, target), **details},
                          order_id=order_id, now=now)
        return view_of(await _row(pickup["id"]))


def _field_error(field_name: str, code: str, message: str) -> dict[str, str]:
    """A form error with its code (the page words it) and its English message."""
    return {"field": field_name, "code": code, "message": message}


def _refuse(errors: list[dict[str, str]]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _text_errors(field_name: str, text: str, max_len: int) -> list[dict[str, str]]:
    errors = []
    if len(text) > max_len:
        errors.append(_field_error(field_name, "pickup.too_long", "too long"))
    if any(ord(c) < 32 for c in text):
        errors.append(_field_error(field_name, "pickup.control_characters", "control characters"))
    return errors


def read_on_the_way(form: dict[str, Any]) -> int:
    raw = str(form.get("eta_minutes") or "").strip()
    if not is_digits(raw) or not 1 <= int(raw) <= 24 * 60:
        _refuse([_field_error("eta_minutes", "pickup.eta_required", "Choose when you will arrive.")])
    return int(raw)


async def on_the_way(order_id: int, eta_minutes: int, *, now: dt.datetime) -> PickupView:
    eta = now + dt.timedelta(minutes=eta_minutes)
    return await _shopper_move(order_id, rules.ON_THE_WAY, {Pickup.eta: eta, Pickup.on_the_way_at: now},
                               {"eta": eta.isoformat()}, now=now)


def read_arrival(form: dict[str, Any], bays: list[str]) -> tuple[str, str]:
    bay = str(form.get("bay") or "").strip()
    car = str(form.get("car") or "").strip()
    errors = []
    if bay and bay not in bays:
        errors.append(_field_error("bay", "pickup.unknown_bay", "Choose one of the bays."))
    errors += _text_errors("car", car, MAX_CAR)
    if bay and not car:
        errors.append(_field_error("car", "pickup.car_required", "Describe your car so staff can find you."))
    _refuse(errors)
    return bay, car


async def arrived(order_id: int, bay: str, car: str, *, now: dt.datetime) -> PickupView:
    return await _shopper_move(order_id, rules.ARRIVED, {Pickup.bay: bay, Pickup.car: car}, {"bay": bay, "car": car},
                               now=now)


def read_alternate(form: dict[str, Any]) -> str:
    name = str(form.get("alternate_name") or "").strip()
    _refuse(_text_errors("alternate_name", name, MAX_NAME))
    return name


async def set_alternate(order_id: int, name: str, *, now: dt.datetime) -> PickupView:
    async with engine.write():
        pickup = await _ensure_row(order_id, now=now)
        if not rules.can_name_alternate(pickup["state"]):
            raise Conflict("pickup.closed", "this pickup is closed")
        await Pickup.update({Pickup.alternate_name: name, Pickup.updated_at: now}).where(Pickup.id == pickup["id"])
        await _record(pickup["id"], "alternate", "shopper", now, {"name": name})
        return view_of(await _row(pickup["id"]))


# --- staff (console) -----------------------------------------------------------------------------

async def find_for_staff(clerk: Clerk, code: str) -> PickupView:
    """The pickup a typed or scanned code names, in the staff member's own store; NotFound otherwise."""
    canonical = rules.normalize_code(code)
    if canonical is None:
        raise NotFound("pickup.bad_code", "not a pickup code")
    async with engine.read():
        pickup = await Pickup.select().where(Pickup.code_key == scoped(clerk.merchant_id, canonical)).first()
    if pickup is None or pickup["store_code"] != clerk.store_code:
        raise NotFound("pickup.code_not_found", "no pickup with this code at this store")
    return view_of(pickup)


async def _at_store(clerk: Clerk, pickup_id: int) -> dict[str, Any]:
    pickup = await Pickup.select().where(
        (Pickup.id == pickup_id) & (Pickup.merchant == clerk.merchant_id) & (Pickup.store_code == clerk.store_code)
    ).first()
    if pickup is None:
        raise NotFound("pickup.not_found", "no such pickup at this store")
    return pickup


async def hand_over(clerk: Clerk, pickup_id: int, *, now: dt.datetime) -> PickupView:
    """Atomic: only one of two simultaneous confirmations wins; the other hears "already picked up"."""
    async with engine.write():
        pickup = await _at_store(clerk, pickup_id)
        updated = await Pickup.update({
            Pickup.state: rules.PICKED_UP, Pickup.previous_state: pickup["state"], Pickup.picked_up_at: now,
            Pickup.picked_up_by: clerk.email, Pickup.updated_at: now,
        }).where((Pickup.id == pickup_id) & Pickup.state.is_in(list(rules.MOVES[("staff", rules.PICKED_UP)]))
                 ).returning(Pickup.id)
        if not updated:
            row = await Pickup.select(Pickup.state).where(Pickup.id == pickup_id).first()
            assert row is not None  # read by _at_store above, in this transaction
            rules.check_move("staff", row["state"], rules.PICKED_UP)
            raise rules.IllegalMove("pickup.already_picked_up", "already picked up")  # pragma: no cover - raced
        await _record(pickup_id, rules.PICKED_UP, clerk.actor, now)
        await _sync_order(pickup["order"], rules.PICKED_UP, now)
        order = await Order.select(Order.external_id, Order.number).where(Order.id == pickup["order"]).first()
        assert order is not None  # the pickup's order (a foreign key)
        fresh = await _row(pickup_id)
        await _notify(clerk.merchant_id, "pickup.picked_up", {**_payload(order, fresh, rules.PICKED_UP),
                                                               "by": fresh["picked_up_by"], "at": now.isoformat()},
                      order_id=pickup["order"], now=now)
        return view_of(fresh)


async def undo_hand_over(clerk: Clerk, pickup_id: int, *, now: dt.datetime) -> PickupView:
    async with engine.write():
        pickup = await _at_store(clerk, pickup_id)
        if not rules.can_undo(pickup["state"], pickup["picked_up_at"], now):
            raise Conflict("pickup.undo_expired", "this hand-over can no longer be undone")
        back = rules.undo_target(pickup["previous_state"])
        await Pickup.update({Pickup.state: back, Pickup.picked_up_at: None, Pickup.picked_up_by: "",
                             Pickup.updated_at: now}).where(
            (Pickup.id == pickup_id) & (Pickup.state == rules.PICKED_UP))
        await _record(pickup_id, "undo", clerk.actor, now, {"back_to": back})
        await _sync_order(pickup["order"], back, now)
        return view_of(await _row(pickup_id))


# --- system (jobs) -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeadlineRun:
    """What one run of the deadline job did: order ids of the pickups expired and reminded."""

    expired: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)


async def run_deadlines(*, now: dt.datetime, reminder_before: dt.timedelta = rules.REMINDER_BEFORE) -> DeadlineRun:
    """Expire ready pickups past their deadline; record a reminder event once, `reminder_before` ahead."""
    run = DeadlineRun()
    async with engine.write():
        rows = await Pickup.select().where(
            Pickup.state.is_in(list(rules.DEADLINE_RUNS)) & Pickup.deadline.is_not_null())
        for p in rows:
            if rules.is_overdue(p["state"], p["deadline"], now):
                done = await Pickup.update({Pickup.state: rules.EXPIRED, Pickup.updated_at: now}).where(
                    (Pickup.id == p["id"]) & Pickup.state.is_in(list(rules.MOVES[("system", rules.EXPIRED)]))
                ).returning(Pickup.id)
                if done:
                    await _record(p["id"], rules.EXPIRED, "system", now)
                    await _sync_order(p["order"], rules.EXPIRED, now)
                    order = await Order.select(Order.external_id, Order.number).where(Order.id == p["order"]).first()
                    assert order is not None  # the pickup's order (a foreign key)
                    await _notify(p["merchant"], "pickup.expired", _payload(order, p, rules.EXPIRED),
                                  order_id=p["order"], now=now)
                    run.expired.append(p["order"])
            elif rules.needs_reminder(p["state"], p["deadline"], p["reminded_at"], now, reminder_before):
                await Pickup.update({Pickup.reminded_at: now}).where(Pickup.id == p["id"])
                await _record(p["id"], "reminder", "system", now, {"deadline": _iso(p["deadline"])})
                order = await Order.select(Order.external_id, Order.number).where(Order.id == p["order"]).first()
                assert order is not None  # the pickup's order (a foreign key)
                await _notify(p["merchant"], "pickup.reminder", _payload(order, p, p["state"]),
                              order_id=p["order"], now=now)
                run.reminded.append(p["order"])
    return run
