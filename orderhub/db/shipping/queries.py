"""Reads for tracking: the shopper's timeline page, the hub summary, delivery dates for returns,
and the merchant's stalled-shipment and anxious-shopper lists."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from orderhub.db import engine, statements
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders import rules as order_rules
from orderhub.db.orders.queries import OrderView
from orderhub.db.payments import rules as payment_rules
from orderhub.db.shipping import rules
from orderhub.db.shipping.tables import Shipment, TrackingEvent, TrackingView


@dataclass(frozen=True)
class EventView:
    event_id: str
    status: str
    substatus: str
    occurred_at: dt.datetime
    location: str
    message: str
    carrier_code: str

    @property
    def tone(self) -> str:
        return rules.tone(self.status)


@dataclass(frozen=True)
class ItemView:
    line_id: str
    title: str
    variant: str
    quantity: int
    image_url: str


@dataclass
class ShipmentView:
    id: int
    external_id: str
    carrier: str
    carrier_name: str
    tracking_number: str
    carrier_url: str | None
    status: str
    substatus: str
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    estimate: dt.date | None
    first_estimate: dt.date | None
    estimate_change: str | None
    late: bool
    stalled: bool
    last_event_at: dt.datetime | None
    items: list[ItemView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    #: the delivery promise (rules.shipment_promise); None on summaries without a clock, or when the
    #: parcel will not arrive
    promise: rules.Promise | None = None
    lane: str = ""

    @property
    def item_count(self) -> int:
        return sum(i.quantity for i in self.items)

    @property
    def redelivery_url(self) -> str | None:
        """The carrier's redelivery page after a failed delivery attempt (rules.redelivery_url)."""
        return rules.redelivery_url(self.carrier, self.tracking_number, self.status)

    @property
    def is_final(self) -> bool:
        """Nothing more will happen to it: the page stops listening."""
        return rules.is_final(self.status)

    @property
    def in_trouble(self) -> bool:
        """The status needs explaining (what happened, what happens now, what the shopper can do)."""
        return rules.in_trouble(self.status)

    @property
    def is_delivered(self) -> bool:
        return rules.is_delivered(self.status)

    @property
    def tone(self) -> str:
        return rules.tone(self.status, self.late, self.stalled)

    @property
    def shows_estimate(self) -> bool:
        """An estimate is worth showing while the parcel is on its way."""
        return self.estimate is not None and not self.is_final

    @property
    def estimate_later(self) -> bool:
        """The estimate moved past the date first promised."""
        return self.estimate_change == rules.LATER

    @property
    def estimate_earlier(self) -> bool:
        return self.estimate_change == rules.EARLIER


@dataclass
class TrackingPage:
    shipments: list[ShipmentView]
    total_items: int
    delivered_items: int
    shipped_items: int
    all_final: bool
    #: items not in any shipment yet
    waiting_items: int
    #: the order's delivery promise (rules.order_promise over the shipments and unshipped items)
    promise: rules.Promise | None = None

    def promise_of(self, shipment_id: str) -> rules.Promise | None:
        return next((s.promise for s in self.shipments if s.external_id == shipment_id), None)


@dataclass(frozen=True)
class PromiseBasis:
    """What an order's delivery promise depends on besides its shipments: the merchant's settings
    (cut-off, processing days, SLA, holiday calendar, time zone) and the order's date."""

    placed_at: dt.datetime
    tz: str
    settings: dict[str, Any]
    calendar: rules.Calendar
    #: the date the storefront promised at checkout (trending late compares our 90th percentile with it)
    checkout_promise: dt.date | None
    #: a carrier delivers it (not a pickup) and it is not cancelled
    applies: bool
    #: the storefront's expected ship date of backordered items (order rules' backorder_ship_date)
    ships_from: dt.date | None = None

    @classmethod
    def of(cls, *, merchant_settings: Any, merchant_address: Any, tz: str, placed_at: dt.datetime,
           checkout_promise: dt.date | None, applies: bool, ships_from: dt.date | None = None) -> PromiseBasis:
        country = rules.calendar_country(
            str((merchant_address if isinstance(merchant_address, dict) else {}).get("country") or ""), tz)
        conf = rules.read_delivery_settings((merchant_settings if isinstance(merchant_settings, dict) else {}).get(
            "delivery"), country)
        return cls(placed_at, tz, conf, rules.Calendar(conf["calendar"]), checkout_promise, applies, ships_from)


def basis_for(merchant: Merchant, order: OrderView, now: dt.datetime) -> PromiseBasis:
    """The promise's basis for an order as every page, email and API answer reads it: processing
    counts from when the order can be prepared (a konbini / bank payment: once paid; payments.rules)."""
    start = payment_rules.processing_from(order.placed_at, str((order.payment or {}).get("method") or ""),
                                          order.payment_status, order.paid_at, now)
    return PromiseBasis.of(merchant_settings=merchant.settings, merchant_address=merchant.address, tz=order.timezone,
                           placed_at=start, checkout_promise=order.promised_date,
                           applies=order.ships and not order.cancelled,
                           ships_from=order_rules.backorder_ship_date([ln.backorder for ln in order.lines]))


async def order_tracking(merchant: Merchant, order: OrderView, now: dt.datetime) -> TrackingPage:
    """An order's shipments with their promises and the order's: what the hub, tracking, emails and API show."""
    return await tracking_page(order.id, now=now, tz=order.timezone, basis=basis_for(merchant, order, now))


async def lane_transit(lane: str, settings: dict[str, Any]) -> rules.Transit:
    """A lane's transit figures, learnt from its newest delivered parcels (one indexed read), else the SLA."""
    if not lane:
        return rules.learn_transit([], settings)
    rows = await _LANE.all(lane)
    return rules.learn_transit([int(r["transit_days"]) for r in rows], settings)


async def promise_for(*, status: str, delivered_at: dt.datetime | None, estimate: dt.date | None,
                      shipped_at: dt.datetime | None, lane: str, basis: PromiseBasis, now: dt.datetime,
                      known: dict[str, rules.Transit]) -> rules.Promise | None:
    """One shipment's promise (rules.shipment_promise) with its lane's figures (`known`: lanes read so far)."""
    if status == rules.DELIVERED or status in rules.UNDELIVERABLE:
        transit = rules.learn_transit([], basis.settings)  # not used: delivered or not arriving
    else:
        if lane not in known:
            known[lane] = await lane_transit(lane, basis.settings)
        transit = known[lane]
    return rules.shipment_promise(
        status=status, delivered_at=delivered_at, carrier_estimate=estimate,
        shipped_at=shipped_at, placed_at=basis.placed_at, now=now, tz=basis.tz, cal=basis.calendar,
        settings=basis.settings, transit=transit, checkout_promise=basis.checkout_promise)


def unshipped_promise(basis: PromiseBasis, now: dt.datetime) -> rules.Promise | None:
    """The promise of an order (or the part of it) not shipped yet: cut-off, processing, the SLA."""
    if not basis.applies:
        return None
    return rules.unshipped_promise(placed_at=basis.placed_at, now=now, tz=basis.tz, cal=basis.calendar,
                                   settings=basis.settings, transit=rules.learn_transit([], basis.settings),
                                   checkout_promise=basis.checkout_promise, ships_from=basis.ships_from)


def _shipment_view(
    row: dict[str, Any], events: list[dict[str, Any]], lines: dict[str, dict[str, Any]], now: dt.datetime | None, tz: str
) -> ShipmentView:
    items = []
    for ln in row["lines"]:
        line = lines.get(ln["line_id"], {})
        items.append(ItemView(ln["line_id"], line.get("title", ln["line_id"]), line.get("variant", ""), ln["quantity"],
                              line.get("image_url", "")))
    ordered = rules.timeline(events)
    activity = row["last_event_at"] or row["shipped_at"]
    return ShipmentView(
        id=row["id"], external_id=row["external_id"], carrier=row["carrier"],
        carrier_name=rules.carrier_name(row["carrier"]), tracking_number=row["tracking_number"],
        carrier_url=rules.carrier_url(row["carrier"], row["tracking_number"]), status=row["status"],
        substatus=row["substatus"] or "", shipped_at=row["shipped_at"], delivered_at=row["delivered_at"],
        estimate=row["estimate"], first_estimate=row["first_estimate"],
        estimate_change=rules.estimate_change(row["first_estimate"], row["estimate"]),
        late=now is not None and rules.is_late(row["status"], row["estimate"], now, tz),
        stalled=now is not None and rules.is_stalled(row["status"], activity, now, tz),
        last_event_at=row["last_event_at"], items=items, lane=row.get("lane") or "",
        events=[EventView(e["event_id"], e["status"], e["substatus"] or "", e["occurred_at"], e["location"] or "",
                          e["message"] or "", e["carrier_code"] or "") for e in ordered],
    )


_SHIPMENT = statements.columns(Shipment, "s")
_SHIPMENTS = statements.Statement(f'SELECT {_SHIPMENT.select} FROM shipments s WHERE s."order" = ? '
                                  "ORDER BY s.created_at, s.id")


def hub_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The read `shipments_summary` makes for the hub's order page, from the order's row (prefetched
    with the hub's own reads: one round trip on PostgreSQL, `statements.prefetch`)."""
    return [_BRIEFS.read(order["id"])]


#: the shipments of one parcel (carrier ingest: `shipments.tracking_key`'s index), in the caller's scope
_BY_TRACKING_KEY = statements.Statement(f"SELECT {_SHIPMENT.select} FROM shipments s WHERE s.tracking_key = ? "
                                        "ORDER BY s.id")


async def shipments_by_tracking_key(tracking_key: str) -> list[dict[str, Any]]:
    """Every column of the shipments with this tracking key (JSON decoded), as `Shipment.select()` gives
    them, through one fixed statement (carrier ingest asks it for every call)."""
    return _SHIPMENT.rows(await _BY_TRACKING_KEY.all(tracking_key))


_EVENT = statements.columns(TrackingEvent, "e")
#: every event of the order's shipments (tracking_events.shipment's index, per shipment)
_EVENTS = statements.Statement(f'SELECT {_EVENT.select} FROM shipments s JOIN tracking_events e ON e.shipment = s.id '
                               'WHERE s."order" = ? ORDER BY e.shipment, e.id')
_LINES = statements.Statement('SELECT l.line_id AS line_id, l.title AS title, l.variant AS variant, '
                              'l.quantity AS quantity, l.image_url AS image_url FROM order_lines l WHERE l."order" = ?')
#: a lane's newest learnt transit times (shipments' lane index)
_LANE = statements.Statement("SELECT s.transit_days AS transit_days FROM shipments s WHERE s.lane = ? "
                             f"AND s.transit_days IS NOT NULL ORDER BY s.delivered_at DESC LIMIT {rules.SAMPLE_LIMIT}")


def tracking_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The reads `tracking_page` makes (the shipments, their events, the lines; a lane's transit
    figures are read after), from the order's row (prefetched with the hub's own reads: one round
    trip on PostgreSQL, `statements.prefetch`)."""
    return [_SHIPMENTS.read(order["id"]), _LINES.read(order["id"]), _EVENTS.read(order["id"])]


async def tracking_page(order_id: int, *, now: dt.datetime | None, tz: str,
                        basis: PromiseBasis | None = None) -> TrackingPage:
    """The shipments of an order; `now=None` skips the late and stalled checks (summaries). With a
    `basis` (and `now`), every shipment and the order carry their delivery promise."""
    async with engine.read():
        ships = _SHIPMENT.rows(await _SHIPMENTS.read(order_id).all())
        lines = {ln["line_id"]: ln for ln in await _LINES.read(order_id).all()}
        events: dict[int, list[dict[str, Any]]] = {s["id"]: [] for s in ships}
        if ships:
            for raw in await _EVENTS.read(order_id).all():
                ev = _EVENT.row(raw) or {}
                events[ev["shipment"]].append(ev)
    views = [_shipment_view(s, events[s["id"]], lines, now, tz) for s in ships]
    page = _page(views, sum(ln["quantity"] for ln in lines.values()))
    page.promise = await _promises(page.shipments, page.waiting_items, basis, now)
    return page


def _item_counts(shipments: Sequence[ShipmentView | ShipmentBrief], total: int) -> tuple[rules.ItemsSummary, int]:
    """"2 of 3 items delivered" (and shipped) over the shipments, and the items in none of them yet."""
    counts = rules.items_summary([(s.status, s.item_count) for s in shipments], total)
    return counts, max(total - sum(s.item_count for s in shipments), 0)


def _page(views: list[ShipmentView], total: int) -> TrackingPage:
    counts, waiting = _item_counts(views, total)
    return TrackingPage(views, total, counts.delivered, counts.shipped,
                        bool(views) and all(v.is_final for v in views) and not waiting, waiting)


async def _promises(shipments: Sequence[ShipmentView | ShipmentBrief], waiting_items: int,
                    basis: PromiseBasis | None, now: dt.datetime | None) -> rules.Promise | None:
    """Every shipment's delivery promise (set on it) and the order's (returned), when the order is
    delivered by a carrier; `waiting_items`: items in no shipment yet."""
    if basis is None or now is None or not basis.applies:
        return None
    known: dict[str, rules.Transit] = {}
    async with engine.read():
        for v in shipments:
            v.promise = await promise_for(status=v.status, delivered_at=v.delivered_at, estimate=v.estimate,
                                          shipped_at=v.shipped_at, lane=v.lane, basis=basis, now=now, known=known)
            if v.promise is not None:
                v.late = v.promise.late  # one answer: the promise's
    parts = [v.promise for v in shipments]
    if not shipments or waiting_items:
        parts.append(unshipped_promise(basis, now))
    return rules.order_promise(parts)


@dataclass
class ShipmentBrief:
    """What the hub's front page needs of a shipment: its status, its items' count and what its
    delivery promise is worked out from (the tracking page's `ShipmentView` has the same names)."""

    status: str
    item_count: int
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    estimate: dt.date | None
    lane: str
    promise: rules.Promise | None = None
    late: bool = False


@dataclass
class ShipmentsSummary:
    """The hub's front page's shipments: each one's status, the item counts of "2 of 3 items
    delivered" and the order's delivery promise, as `tracking_page` has them."""

    shipments: list[ShipmentBrief]
    total_items: int
    delivered_items: int
    shipped_items: int
    promise: rules.Promise | None


#: the columns `ShipmentBrief` is made of (the shipments' order index)
_BRIEFS = statements.Statement(
    "SELECT s.status AS status, s.lines AS lines, s.shipped_at AS shipped_at, s.delivered_at AS delivered_at, "
    's.estimate AS estimate, s.lane AS lane FROM shipments s WHERE s."order" = ? ORDER BY s.created_at, s.id')


async def shipments_summary(order_id: int, total_items: int, *, now: dt.datetime | None = None, tz: str = "UTC",
                            basis: PromiseBasis | None = None) -> ShipmentsSummary:
    """What the hub's front page says about shipments, in one fixed statement of the few columns it
    needs. `total_items`: the order's item count (the hub has read its lines)."""
    briefs = [ShipmentBrief(r["status"], sum(ln["quantity"] for ln in statements.json_value(r["lines"])),
                            r["shipped_at"], r["delivered_at"], r["estimate"], r["lane"] or "")
              for r in await _BRIEFS.read(order_id).all()]
    counts, waiting = _item_counts(briefs, total_items)
    return ShipmentsSummary(briefs, total_items, counts.delivered, counts.shipped,
                            await _promises(briefs, waiting, basis, now))


_DELIVERED = statements.Statement('SELECT s.lines AS lines, s.delivered_at AS delivered_at FROM shipments s '
                                  'WHERE s."order" = ? AND s.status = ?')


def delivered_read(order_id: int) -> statements.Read:
    """The read of `delivery_dates`."""
    return _DELIVERED.read(order_id, rules.DELIVERED)


async def delivery_dates(order_id: int) -> dict[str, dt.datetime]:
    """Order line id -> when it was delivered (the last of its delivered shipments)."""
    out: dict[str, dt.datetime] = {}
    rows = await delivered_read(order_id).all()
    for raw in rows:
        row = {"lines": json.loads(raw["lines"]) if isinstance(raw["lines"], (str, bytes)) else raw["lines"],
               "delivered_at": raw["delivered_at"]}
        if row["delivered_at"] is None:
            continue
        for ln in row["lines"]:
            at = row["delivered_at"]
            if ln["line_id"] not in out or at > out[ln["line_id"]]:
                out[ln["line_id"]] = at
    return out


@dataclass(frozen=True)
class PromisedShipment:
    """A shipment with its order's promise basis read in one statement, and its promise: what the
    merchant's attention lists, the arriving-tomorrow announcement and the outbound webhooks state."""

    id: int
    merchant_id: int
    order_id: int
    order_number: str
    external_id: str
    carrier: str
    tracking_number: str
    status: str
    substatus: str
    estimate: dt.date | None
    first_estimate: dt.date | None
    shipped_at: dt.datetime | None
    last_event_at: dt.datetime | None
    #: the merchant's time zone (the promise's "today")
    timezone: str
    promise: rules.Promise | None
    #: the promise's `late` (as the hub states it), else the carrier's estimate passed (not a carrier delivery)
    late: bool


_PROMISED_COLUMNS = (
    Shipment.id, Shipment.merchant, Shipment.order, Shipment.external_id, Shipment.carrier, Shipment.tracking_number,
    Shipment.status, Shipment.substatus, Shipment.estimate, Shipment.first_estimate, Shipment.shipped_at,
    Shipment.delivered_at, Shipment.last_event_at, Shipment.lane,
    Shipment.order.number.as_alias("number"), Shipment.order.placed_at.as_alias("placed_at"),
    Shipment.order.promised_date.as_alias("promised_date"), Shipment.order.fulfillment_type.as_alias("ftype"),
    Shipment.order.fulfillment_status.as_alias("fstatus"), Shipment.order.cancelled_at.as_alias("cancelled_at"),
    Shipment.merchant.timezone.as_alias("timezone"), Shipment.merchant.settings.as_alias("msettings"),
    Shipment.merchant.address.as_alias("maddress"),
)


async def promised_shipments(where: Any, now: dt.datetime) -> list[PromisedShipment]:
    """The shipments `where` selects, each with its delivery promise as the hub states it at `now`."""
    async with engine.read():
        rows = await Shipment.select(*_PROMISED_COLUMNS).where(where).output(load_json=True).order_by(Shipment.id)
        known: dict[str, rules.Transit] = {}
        out = []
        for r in rows:
            basis = PromiseBasis.of(
                merchant_settings=r["msettings"], merchant_address=r["maddress"], tz=r["timezone"],
                placed_at=r["placed_at"], checkout_promise=r["promised_date"],
                applies=r["ftype"] == order_rules.SHIP and not order_rules.is_cancelled(r["cancelled_at"], r["fstatus"]))
            promise = None
            if basis.applies:
                promise = await promise_for(status=r["status"], delivered_at=r["delivered_at"], estimate=r["estimate"],
                                            shipped_at=r["shipped_at"], lane=r["lane"] or "", basis=basis, now=now,
                                            known=known)
            late = promise.late if promise is not None else rules.is_late(r["status"], r["estimate"], now,
                                                                          r["timezone"])
            out.append(PromisedShipment(
                r["id"], r["merchant"], r["order"], r["number"], r["external_id"], r["carrier"], r["tracking_number"],
                r["status"], r["substatus"] or "", r["estimate"], r["first_estimate"], r["shipped_at"],
                r["last_event_at"], r["timezone"], promise, late))
    return out


async def shipment_promise_now(shipment_id: int, now: dt.datetime) -> rules.Promise | None:
    """One shipment's promise at `now` (inside the caller's scope: a writer sees its own update)."""
    found = await promised_shipments(Shipment.id == shipment_id, now)
    return found[0].promise if found else None


@dataclass(frozen=True)
class StalledShipment:
    order_id: int
    order_number: str
    shipment_id: str
    carrier: str
    tracking_number: str
    status: str
    last_activity: dt.datetime | None
    business_days_quiet: int
    late: bool
    stalled: bool
    promise: rules.Promise | None = None


async def _flagged(merchant_id: int, now: dt.datetime) -> list[StalledShipment]:
    """Open shipments that are stalled or late; late is the promise's (a predicted parcel that passes
    its promise is late too)."""
    out = []
    for s in await promised_shipments(
            (Shipment.merchant == merchant_id) & Shipment.status.not_in(list(rules.FINAL)), now):
        activity = s.last_event_at or s.shipped_at
        stalled = rules.is_stalled(s.status, activity, now, s.timezone)
        if not (stalled or s.late):
            continue
        quiet = (rules.business_days_between(rules.local_date(activity, s.timezone), rules.local_date(now, s.timezone))
                 if activity else 0)
        out.append(StalledShipment(s.order_id, s.order_number, s.external_id, s.carrier, s.tracking_number,
                                   s.status, activity, quiet, s.late, stalled, s.promise))
    out.sort(key=lambda s: (-s.business_days_quiet, s.order_number))
    return out


async def late_or_stalled(merchant_id: int, now: dt.datetime) -> list[StalledShipment]:
    """Every shipment that is not final and is stalled, late, or both."""
    return await _flagged(merchant_id, now)


async def stalled_shipments(merchant_id: int, now: dt.datetime) -> list[StalledShipment]:
    """Shipments with no scan for STALLED_BUSINESS_DAYS business days (longest quiet first)."""
    return [s for s in await _flagged(merchant_id, now) if s.stalled]


@dataclass(frozen=True)
class AnxiousShopper:
    order_id: int
    order_number: str
    views_24h: int
    stalled: bool
    late: bool
    last_view: dt.datetime


async def anxious_shoppers(merchant_id: int, now: dt.datetime) -> list[AnxiousShopper]:
    """Orders whose tracking was opened ANXIOUS_VIEWS+ times in 24 hours while stalled or late."""
    flagged = await _flagged(merchant_id, now)
    by_order: dict[int, list[StalledShipment]] = {}
    for s in flagged:
        by_order.setdefault(s.order_id, []).append(s)
    if not by_order:
        return []
    since = now - dt.timedelta(hours=24)
    async with engine.read():
        views = await TrackingView.select(TrackingView.order, TrackingView.viewed_at).where(
            (TrackingView.merchant == merchant_id) & (TrackingView.viewed_at >= since)
            & TrackingView.order.is_in(list(by_order)))
    counts: dict[int, list[dt.datetime]] = {}
    for v in views:
        counts.setdefault(v["order"], []).append(v["viewed_at"])
    out = []
    for order_id, seen in counts.items():
        ships = by_order[order_id]
        stalled, late = any(s.stalled for s in ships), any(s.late for s in ships)
        if rules.is_anxious(len(seen), stalled, late):
            out.append(AnxiousShopper(order_id, ships[0].order_number, len(seen), stalled, late, max(seen)))
    out.sort(key=lambda a: -a.views_24h)
    return out
