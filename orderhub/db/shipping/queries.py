"""Reads for tracking: the shopper's timeline page, the hub summary, delivery dates for returns,
and the merchant's stalled-shipment and anxious-shopper lists."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from orderhub.db import engine, statements
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders.tables import OrderLine
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

    @property
    def item_count(self) -> int:
        return sum(i.quantity for i in self.items)

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
        last_event_at=row["last_event_at"], items=items,
        events=[EventView(e["event_id"], e["status"], e["substatus"] or "", e["occurred_at"], e["location"] or "",
                          e["message"] or "", e["carrier_code"] or "") for e in ordered],
    )


async def tracking_page(order_id: int, *, now: dt.datetime | None, tz: str) -> TrackingPage:
    """The shipments of an order; `now=None` skips the late and stalled checks (summaries)."""
    async with engine.read():
        ships = await Shipment.select().output(load_json=True).where(Shipment.order == order_id).order_by(
            Shipment.created_at).order_by(Shipment.id)
        lines = {ln["line_id"]: ln for ln in await OrderLine.select(
            OrderLine.line_id, OrderLine.title, OrderLine.variant, OrderLine.quantity, OrderLine.image_url).where(
            OrderLine.order == order_id)}
        events: dict[int, list[dict[str, Any]]] = {s["id"]: [] for s in ships}
        if ships:
            for ev in await TrackingEvent.select().where(TrackingEvent.shipment.is_in(list(events))):
                events[ev["shipment"]].append(ev)
    views = [_shipment_view(s, events[s["id"]], lines, now, tz) for s in ships]
    total = sum(ln["quantity"] for ln in lines.values())
    counts = rules.items_summary([(v.status, v.item_count) for v in views], total)
    in_shipments = sum(v.item_count for v in views)
    return TrackingPage(views, total, counts.delivered, counts.shipped,
                        bool(views) and all(v.is_final for v in views) and in_shipments >= total,
                        max(total - in_shipments, 0))


@dataclass(frozen=True)
class ShipmentsSummary:
    """What the hub's front page says about shipments: each one's status and the item counts of
    "2 of 3 items delivered" (the same counts as `tracking_page`, without the events)."""

    statuses: list[str]
    total_items: int
    delivered_items: int
    shipped_items: int


_STATUSES = statements.Statement('SELECT s.status, s.lines FROM shipments s WHERE s."order" = ? '
                                 "ORDER BY s.created_at, s.id")


async def shipments_summary(order_id: int, total_items: int) -> ShipmentsSummary:
    """One statement; `total_items`: the order's item count (its lines, which the hub has read)."""
    rows = await _STATUSES.all(order_id)
    pairs = []
    for row in rows:
        lines = json.loads(row["lines"]) if isinstance(row["lines"], (str, bytes)) else row["lines"]
        pairs.append((row["status"], sum(int(ln["quantity"]) for ln in lines or [])))
    counts = rules.items_summary(pairs, total_items)
    return ShipmentsSummary([status for status, _ in pairs], total_items, counts.delivered, counts.shipped)


async def delivery_dates(order_id: int) -> dict[str, dt.datetime]:
    """Order line id -> when it was delivered (the last of its delivered shipments)."""
    out: dict[str, dt.datetime] = {}
    async with engine.read():
        rows = await Shipment.select(Shipment.lines, Shipment.delivered_at).output(load_json=True).where(
            (Shipment.order == order_id) & (Shipment.status == rules.DELIVERED))
    for row in rows:
        if row["delivered_at"] is None:
            continue
        for ln in row["lines"]:
            at = row["delivered_at"]
            if ln["line_id"] not in out or at > out[ln["line_id"]]:
                out[ln["line_id"]] = at
    return out


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


async def _flagged(merchant_id: int, now: dt.datetime) -> list[StalledShipment]:
    async with engine.read():
        merchant = await Merchant.select(Merchant.timezone).where(Merchant.id == merchant_id).first()
        rows = await Shipment.select(
            Shipment.order, Shipment.external_id, Shipment.carrier, Shipment.tracking_number, Shipment.status,
            Shipment.last_event_at, Shipment.shipped_at, Shipment.estimate, Shipment.order.number.as_alias("number"),
        ).where((Shipment.merchant == merchant_id) & Shipment.status.not_in(list(rules.FINAL)))
    tz = merchant["timezone"] if merchant else "UTC"
    out = []
    for r in rows:
        activity = r["last_event_at"] or r["shipped_at"]
        stalled = rules.is_stalled(r["status"], activity, now, tz)
        late = rules.is_late(r["status"], r["estimate"], now, tz)
        if not (stalled or late):
            continue
        quiet = rules.business_days_between(rules.local_date(activity, tz), rules.local_date(now, tz)) if activity else 0
        out.append(StalledShipment(r["order"], r["number"], r["external_id"], r["carrier"], r["tracking_number"],
                                   r["status"], activity, quiet, late, stalled))
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
