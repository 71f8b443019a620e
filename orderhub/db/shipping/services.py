"""Writes for shipments and tracking events: rules + tables inside one transaction.

Duplicate events are refused by the unique `tracking_events.key` (INSERT ... ON CONFLICT DO NOTHING),
not by check-then-insert, so any number of parallel deliveries store an event once on SQLite and
PostgreSQL. On PostgreSQL the order row is locked first, so two writers for one order recompute
its shipments one after the other (SQLite's BEGIN IMMEDIATE already serialises writers).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

from orderhub.db import engine
from orderhub.db.emails import rules as email_rules
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import Order, OrderLine
from orderhub.db.outbox import services as outbox
from orderhub.db.outbox.tables import WebhookDelivery
from orderhub.db.shipping import queries, rules
from orderhub.db.shipping.tables import Shipment, TrackingEvent

log = logging.getLogger("orderhub.shipping")


@dataclass
class Ingest:
    accepted: int = 0
    duplicates: int = 0
    unknown: int = 0
    #: order id -> True when every shipment of that order is final (the page can stop listening)
    orders: dict[int, bool] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates}


def _hash(body: object) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _is_postgres() -> bool:
    return engine.current_engine().engine_type == "postgres"


@contextlib.asynccontextmanager
async def _one_writer() -> AsyncIterator[None]:
    """On SQLite, queue this process's writers here instead of in SQLite's busy handler, which
    sleeps up to 100 ms between tries (many concurrent webhook deliveries ingest 5-10x faster)."""
    if _is_postgres():
        yield
        return
    loop = asyncio.get_running_loop()
    lock = _WRITERS.get(loop)
    if lock is None:
        lock = _WRITERS[loop] = asyncio.Lock()
    async with lock:
        yield


async def _lock_order(order_id: int) -> None:
    if _is_postgres():
        await Order.select(Order.id).where(Order.id == order_id).lock_rows()


async def _notify(merchant_id: int, event: str, payload: dict[str, Any], *, order_id: int, now: dt.datetime) -> None:
    """Through the outbox (emails and merchant webhooks), inside the caller's transaction."""
    await outbox.notify(merchant_id, event, payload, order_id=order_id, now=now)


def _payload(ship: dict[str, Any], state: rules.State, promise: rules.Promise | None) -> dict[str, Any]:
    """A `shipment.*` event's data: the shipment, and its delivery promise as the API states it."""
    return {
        "shipment_id": ship["external_id"], "carrier": ship["carrier"], "tracking_number": ship["tracking_number"],
        "status": state.status, "substatus": state.substatus,
        "estimated_delivery": state.estimate.isoformat() if state.estimate else None,
        "first_estimate": ship["first_estimate"].isoformat() if ship.get("first_estimate") else None,
        "promise": promise.as_json() if promise is not None else None,
    }


async def upsert_shipment(merchant: Merchant, external_id: str, shipment_id: str, body: object, *,
                          now: dt.datetime) -> tuple[bool, dict[str, Any], int]:
    """PUT a shipment of an order: (created, the shipment as stored, order id). Same body twice changes nothing."""
    if not (0 < len(shipment_id) <= 100):
        raise ValidationFailed([{"field": "shipment_id", "message": "must be 1 to 100 characters"}])
    digest = _hash(body)
    async with _one_writer(), engine.write():
        order = await Order.select(Order.id, Order.fulfillment_status, Order.shipping_address).output(load_json=True).where(
            Order.key == scoped(merchant.id, external_id)).first()
        if order is None:
            raise NotFound("order.not_found", "no such order", field="external_id")
        await _lock_order(order["id"])
        key = rules.shipment_key(order["id"], shipment_id)
        existing = await Shipment.select().output(load_json=True).where(Shipment.key == key).first()
        if existing is not None and existing["body_hash"] == digest:
            return False, _shipment_json(existing), order["id"]
        lines = {ln["line_id"]: ln["quantity"] for ln in await OrderLine.select(OrderLine.line_id, OrderLine.quantity)
                 .where(OrderLine.order == order["id"])}
        others: dict[str, int] = {}
        for other in await Shipment.select(Shipment.lines, Shipment.key).output(load_json=True).where(
                Shipment.order == order["id"]):
            if other["key"] != key:
                for ln in other["lines"]:
                    others[ln["line_id"]] = others.get(ln["line_id"], 0) + ln["quantity"]
        values, errors = rules.read_shipment(body, lines, others)
        if errors:
            raise ValidationFailed(errors)
        tkey = rules.tracking_key(merchant.id, values["carrier"], values["tracking_number"])
        lane = rules.lane_key(merchant.id, values["carrier"], values["service"],
                              rules.region_of(values["origin"] or cast(dict[str, Any], merchant.address or {})),
                              rules.region_of(order["shipping_address"]))
        if existing is None:
            row = Shipment(merchant=merchant.id, order=order["id"], key=key, external_id=shipment_id,
                           carrier=values["carrier"], tracking_number=values["tracking_number"], tracking_key=tkey,
                           lines=values["lines"], shipped_at=values["shipped_at"] or now,
                           first_estimate=values["estimate"], estimate=values["estimate"], body_hash=digest,
                           service=values["service"], lane=lane, created_at=now, updated_at=now)
            await row.save()
            ship_id, created = row.id, True
        else:
            await Shipment.update({
                Shipment.carrier: values["carrier"], Shipment.tracking_number: values["tracking_number"],
                Shipment.tracking_key: tkey, Shipment.lines: values["lines"],
                Shipment.shipped_at: values["shipped_at"] or existing["shipped_at"],
                Shipment.first_estimate: existing["first_estimate"] or values["estimate"],
                Shipment.body_hash: digest, Shipment.updated_at: now, Shipment.service: values["service"],
                Shipment.lane: lane,
            }).where(Shipment.id == existing["id"])
            ship_id, created = existing["id"], False
        before = None if existing is None else existing
        state = await _recompute(ship_id, now, shipment_estimate=values["estimate"], before=before,
                                 merchant_id=merchant.id, order_id=order["id"])
        await _update_order(order["id"])
        stored = await Shipment.select().output(load_json=True).where(Shipment.id == ship_id).first()
        assert stored is not None  # saved above, in this transaction
        if created:
            promise = await queries.shipment_promise_now(ship_id, now)
            await _notify(merchant.id, rules.SHIPPED_NOTIFICATION, _payload(stored, state, promise),
                          order_id=order["id"], now=now)
    return created, _shipment_json(stored), order["id"]


def _shipment_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["external_id"], "carrier": row["carrier"], "tracking_number": row["tracking_number"],
        "lines": row["lines"], "shipped_at": row["shipped_at"].isoformat() if row["shipped_at"] else None,
        "estimated_delivery": row["estimate"].isoformat() if row["estimate"] else None,
        "status": row["status"], "substatus": row["substatus"] or None,
    }


async def ingest_events(merchant_id: int, body: object, *, source: str, now: dt.datetime) -> Ingest:
    """Events for one parcel (`{"carrier", "tracking_number", "events"}`); unknown parcel -> NotFound."""
    data, errors = rules.read_events(body)
    if errors:
        raise ValidationFailed(errors)
    return await ingest_parsed(merchant_id, data, source=source, now=now)


async def ingest_parsed(merchant_id: int, data: dict[str, Any], *, source: str, now: dt.datetime) -> Ingest:
    result = Ingest()
    tkey = rules.tracking_key(merchant_id, data["carrier"], data["tracking_number"])
    async with _one_writer(), engine.write():
        ships = await queries.shipments_by_tracking_key(tkey)
        if not ships:
            raise NotFound("shipment.not_found", "no shipment with this carrier and tracking number",
                           field="tracking_number")
        for order_id in sorted({s["order"] for s in ships}):
            await _lock_order(order_id)
        fresh: dict[str, dict[str, Any]] = {}
        for ev in data["events"]:
            if ev["event_id"] in fresh:
                result.duplicates += 1
                continue
            fresh[ev["event_id"]] = ev
        moved: set[int] = set()
        touched: set[int] = set()
        for ship in ships:
            inserted = 0
            if fresh:
                rows = [TrackingEvent(shipment=ship["id"], key=rules.event_key(ship["id"], ev["event_id"]), source=source,
                                      received_at=now, **ev) for ev in fresh.values()]
                done = await TrackingEvent.insert(*rows).on_conflict(
                    target=TrackingEvent.key, action="DO NOTHING").returning(TrackingEvent.id)
                inserted = len(done)
            if ship is ships[0]:
                result.accepted += inserted
                result.duplicates += len(fresh) - inserted
            if inserted:
                touched.add(ship["order"])
                state = await _recompute(ship["id"], now, shipment_estimate=None, before=ship,
                                         merchant_id=merchant_id, order_id=ship["order"], row=ship)
                if state.status != ship["status"]:
                    moved.add(ship["order"])
        for order_id in touched:
            if order_id in moved:
                result.orders[order_id] = await _update_order(order_id)
            else:
                statuses = await Shipment.select(Shipment.status).where(Shipment.order == order_id)
                result.orders[order_id] = bool(statuses) and all(rules.is_final(s["status"]) for s in statuses)
    return result


async def _recompute(ship_id: int, now: dt.datetime, *, shipment_estimate: dt.date | None, before: dict[str, Any] | None,
                     merchant_id: int, order_id: int, row: dict[str, Any] | None = None) -> rules.State:
    ship = row or await Shipment.select().output(load_json=True).where(Shipment.id == ship_id).first()
    assert ship is not None  # the caller's shipment, in this transaction
    where = TrackingEvent.shipment == ship_id
    if ship["status_at"] is not None:
        # only events that can still matter: from the current one on, estimates, and deliveries
        # (an older event can never become the current status: rules.current_state)
        where = where & ((TrackingEvent.occurred_at >= ship["status_at"])
                         | TrackingEvent.estimated_delivery.is_not_null() | (TrackingEvent.status == rules.DELIVERED))
    events = await TrackingEvent.select(
        TrackingEvent.event_id, TrackingEvent.status, TrackingEvent.substatus, TrackingEvent.occurred_at,
        TrackingEvent.estimated_delivery).where(where)
    # the shipment's own estimate, then each event's newer one in the order they happened
    base_estimate = shipment_estimate or ship["estimate"]
    state = rules.current_state(events, base_estimate)
    first = ship["first_estimate"] or state.estimate
    await Shipment.update({
        Shipment.status: state.status, Shipment.substatus: state.substatus, Shipment.status_at: state.status_at,
        Shipment.last_event_at: state.last_event_at, Shipment.delivered_at: state.delivered_at,
        Shipment.estimate: state.estimate, Shipment.first_estimate: first, Shipment.updated_at: now,
        Shipment.transit_days: await _transit_days(merchant_id, ship, state),
    }).where(Shipment.id == ship_id)
    if before is not None:
        old_status, old_sub, old_estimate = before["status"], before["substatus"], before["estimate"]
        event = rules.notification(old_status, old_sub, state.status, state.substatus)
        delayed = rules.is_delay(old_estimate, state.estimate, state.status)
        if not (event or delayed):
            return state
        promise = await queries.shipment_promise_now(ship_id, now)
        payload = _payload({**ship, "first_estimate": first}, state, promise)
        if event:
            await _notify(merchant_id, event, payload, order_id=order_id, now=now)
        if delayed:
            await _notify(merchant_id, rules.DELAYED_NOTIFICATION, payload, order_id=order_id, now=now)
    return state


async def _transit_days(merchant_id: int, ship: dict[str, Any], state: rules.State) -> int | None:
    """The business days a delivered parcel took (what the lane's own prediction learns from)."""
    if state.delivered_at is None or ship["shipped_at"] is None:
        return None
    if ship.get("transit_days") is not None and ship["delivered_at"] == state.delivered_at:
        return int(ship["transit_days"])
    merchant = await Merchant.select(Merchant.timezone, Merchant.settings, Merchant.address).output(
        load_json=True).where(Merchant.id == merchant_id).first()
    assert merchant is not None  # the shipment's merchant (foreign key)
    settings = rules.read_delivery_settings(
        cast(dict[str, Any], merchant["settings"] or {}).get("delivery"),
        rules.calendar_country(str(cast(dict[str, Any], merchant["address"] or {}).get("country") or ""),
                               merchant["timezone"]))
    return max(0, rules.transit_days_taken(ship["shipped_at"], state.delivered_at, merchant["timezone"],
                                           rules.Calendar(settings["calendar"]), settings))


async def _update_order(order_id: int) -> bool:
    """OrderLine.fulfilled_quantity from the shipments, Order.fulfillment_status never backwards.
    Answers whether every shipment of the order is final."""
    order = await Order.select(Order.fulfillment_status).where(Order.id == order_id).first()
    assert order is not None  # the shipments' order, in this transaction
    lines = await OrderLine.select(OrderLine.id, OrderLine.line_id, OrderLine.quantity, OrderLine.fulfilled_quantity,
                                   OrderLine.requested_quantity).where(OrderLine.order == order_id)
    ships = await Shipment.select(Shipment.lines, Shipment.status).output(load_json=True).where(
        Shipment.order == order_id)
    shipped: dict[str, int] = {}
    delivered: dict[str, int] = {}
    for s in ships:
        if s["status"] in rules.UNDELIVERABLE:
            continue
        for ln in s["lines"]:
            shipped[ln["line_id"]] = shipped.get(ln["line_id"], 0) + ln["quantity"]
            if rules.is_delivered(s["status"]):
                delivered[ln["line_id"]] = delivered.get(ln["line_id"], 0) + ln["quantity"]
    for ln in lines:
        want = max(min(shipped.get(ln["line_id"], 0), ln["quantity"]), ln["requested_quantity"] or 0)
        if want != ln["fulfilled_quantity"]:
            await OrderLine.update({OrderLine.fulfilled_quantity: want}).where(OrderLine.id == ln["id"])
    status = rules.fulfillment_status(order["fulfillment_status"], {ln["line_id"]: ln["quantity"] for ln in lines},
                                      shipped, delivered)
    if status != order["fulfillment_status"]:
        await Order.update({Order.fulfillment_status: status}).where(Order.id == order_id)
    return bool(ships) and all(rules.is_final(s["status"]) for s in ships)


@dataclass(frozen=True)
class PollTarget:
    """A parcel the poller asks the tracking provider about."""

    id: int
    merchant_id: int
    carrier: str
    tracking_number: str


async def shipments_to_poll(now: dt.datetime, *, every: dt.timedelta, limit: int = 100) -> list[PollTarget]:
    """Non-final shipments the poller has not asked about within `every`."""
    async with engine.read():
        rows = await Shipment.select(Shipment.id, Shipment.merchant, Shipment.carrier, Shipment.tracking_number,
                                     Shipment.polled_at).where(
            Shipment.status.not_in(list(rules.FINAL))).order_by(Shipment.polled_at).limit(limit * 4)
    due = [r for r in rows if r["polled_at"] is None or r["polled_at"] <= now - every]
    return [PollTarget(r["id"], r["merchant"], r["carrier"], r["tracking_number"]) for r in due[:limit]]


async def mark_polled(ship_id: int, now: dt.datetime) -> None:
    async with engine.write():
        await Shipment.update({Shipment.polled_at: now}).where(Shipment.id == ship_id)


ARRIVING_TOMORROW = "shipment.arriving_tomorrow"


async def announce_arriving_tomorrow(*, now: dt.datetime) -> int:
    """`shipment.arriving_tomorrow` through notify (emails and webhooks) for each parcel whose delivery
    promise (db/shipping: the carrier's date or our prediction, in the merchant's time zone) says
    "arriving tomorrow", once per shipment and promised date. -> how many."""
    told = 0
    today = now.date()
    # a carrier's date near today (a day either side covers every time zone), or none (our prediction)
    near = Shipment.estimate.is_null() | ((Shipment.estimate >= today - dt.timedelta(days=1))
                                          & (Shipment.estimate <= today + dt.timedelta(days=2)))
    for ship in await queries.promised_shipments(
            Shipment.status.is_in(list(rules.ON_THE_WAY)) & near, now):
        if not rules.arrives_tomorrow(ship.status, ship.promise):
            continue
        assert ship.promise is not None and ship.promise.date_to is not None  # arrives_tomorrow says so
        payload = {"shipment_id": ship.external_id, "carrier": ship.carrier,
                   "tracking_number": ship.tracking_number, "status": ship.status,
                   "substatus": ship.substatus or None,
                   "estimated_delivery": ship.estimate.isoformat() if ship.estimate else None,
                   "first_estimate": ship.first_estimate.isoformat() if ship.first_estimate else None,
                   "promise": ship.promise.as_json()}
        promised = ship.promise.date_to.isoformat()
        key = email_rules.dedupe_key(ship.merchant_id, ship.order_id, ARRIVING_TOMORROW, payload)
        async with engine.write():
            if await EmailMessage.exists().where(EmailMessage.key == key):
                continue
            earlier = await WebhookDelivery.select(WebhookDelivery.payload).where(
                (WebhookDelivery.order_id == ship.order_id) & (WebhookDelivery.event == ARRIVING_TOMORROW)
            ).output(load_json=True)
            told_before = [d["payload"] or {} for d in earlier]
            if any(p.get("shipment_id") == ship.external_id
                   and ((p.get("promise") or {}).get("date_to") or p.get("estimated_delivery")) == promised
                   for p in told_before):
                continue
            await outbox.notify(ship.merchant_id, ARRIVING_TOMORROW, payload, order_id=ship.order_id, now=now)
            told += 1
    return told
