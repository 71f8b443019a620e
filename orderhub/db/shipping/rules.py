"""Pure tracking decisions (no I/O, no wall clock: `now` is always a parameter).

Each function is a small decision table; tests/unit/test_shipping_rules.py spells them out.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from orderhub.db import validation as v
from orderhub.db.keys import scoped
from orderhub.db.validation import Reader

# --- the status vocabulary (the one home of every set of statuses) --------------------------------

PENDING = "pending"
OUT_FOR_DELIVERY = "out_for_delivery"
DELIVERED = "delivered"
AVAILABLE_FOR_PICKUP = "available_for_pickup"
STATUSES = (
    PENDING, "info_received", "in_transit", OUT_FOR_DELIVERY, "failed_attempt",
    AVAILABLE_FOR_PICKUP, DELIVERED, "exception", "returned_to_sender", "expired",
)
FINAL = frozenset({DELIVERED, "returned_to_sender", "expired"})
#: statuses a delivered shipment can still move to (a later event of these kinds is believed)
AFTER_DELIVERY = frozenset({DELIVERED, "returned_to_sender", "exception"})
#: how far along the journey a status is (ties in occurred_at are broken by it)
PROGRESS = {
    PENDING: 0, "info_received": 1, "in_transit": 2, "exception": 3, "failed_attempt": 4,
    OUT_FOR_DELIVERY: 5, AVAILABLE_FOR_PICKUP: 6, "expired": 7, "returned_to_sender": 8, DELIVERED: 9,
}
SUBSTATUSES = (
    "weather", "customs_hold", "address_issue", "damaged", "lost", "refused", "recipient_unavailable",
    "delivered_to_locker", "delivered_to_neighbour", "delayed", "held_at_facility", "business_closed",
    "delivered_to_reception", "signed", "",
)
#: statuses that make a shipment "need attention": the page explains what happened and what now
TROUBLE = frozenset({"exception", "failed_attempt", "returned_to_sender", "expired"})
#: statuses whose items no longer count as shipped to the shopper (the parcel will not arrive)
UNDELIVERABLE = frozenset({"returned_to_sender", "expired"})
#: statuses a shipment is waiting at the carrier's, not yet moving (items not counted as shipped)
NOT_SHIPPED = frozenset({PENDING})
#: a status change -> the notification (emails, merchant webhooks) it sends
NOTIFICATIONS = {
    OUT_FOR_DELIVERY: "shipment.out_for_delivery", DELIVERED: "shipment.delivered",
    "exception": "shipment.exception", "failed_attempt": "shipment.failed_attempt",
    "returned_to_sender": "shipment.exception", AVAILABLE_FOR_PICKUP: "shipment.available_for_pickup",
}
DELAYED_NOTIFICATION = "shipment.delayed"
SHIPPED_NOTIFICATION = "shipment.shipped"
#: the tone a status is shown in (badge colour): good news, a problem, or news on the way
GOOD = frozenset({DELIVERED, AVAILABLE_FOR_PICKUP})


def is_final(status: str) -> bool:
    return status in FINAL


def in_trouble(status: str) -> bool:
    return status in TROUBLE


def is_delivered(status: str) -> bool:
    return status == DELIVERED


def is_out_for_delivery(status: str) -> bool:
    return status == OUT_FOR_DELIVERY


def counts_as_shipped(status: str) -> bool:
    """The shipment's items are on their way or arrived (not waiting for the carrier, not coming back)."""
    return status not in NOT_SHIPPED and status not in UNDELIVERABLE


def tone(status: str, late: bool = False, stalled: bool = False) -> str:
    """"good", "warn" or "info" for a status (late or stalled shipments are a problem unless delivered)."""
    if status == DELIVERED:
        return "good"
    if status in TROUBLE or late or stalled:
        return "warn"
    if status in GOOD:
        return "good"
    return "info"


def notification(old_status: str, old_substatus: str, status: str, substatus: str) -> str | None:
    """The notification a move from (old status, substatus) to (status, substatus) sends, if any."""
    if (status, substatus) == (old_status, old_substatus):
        return None
    return NOTIFICATIONS.get(status)


def is_delay(old_estimate: dt.date | None, estimate: dt.date | None, status: str) -> bool:
    """The estimate moved later while the parcel is still on its way (the shopper is told)."""
    return bool(old_estimate and estimate and estimate > old_estimate and status not in FINAL)


CARRIERS: dict[str, tuple[str, str]] = {
    # code: (display name as an English msgid, translated where it is shown; tracking page URL
    # template, {n} is the URL-quoted tracking number)
    "yamato": ("Yamato Transport", "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id={n}"),
    "sagawa": ("Sagawa Express", "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={n}"),
    "japan_post": ("Japan Post", "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={n}"),
    "ups": ("UPS", "https://www.ups.com/track?tracknum={n}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={n}"),
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}"),
    "dhl": ("DHL", "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={n}"),
}
CARRIER_ALIASES = {
    "kuroneko": "yamato", "yamato-transport": "yamato", "yamato_transport": "yamato", "sagawa-express": "sagawa",
    "sagawa_express": "sagawa", "japanpost": "japan_post", "japan-post": "japan_post", "jp_post": "japan_post",
    "yu-pack": "japan_post", "dhl_express": "dhl", "dhl-express": "dhl", "fedex_ground": "fedex",
}
#: tracking providers' courier slugs (AfterShip, EasyPost) -> our carrier codes
PROVIDER_COURIERS = {
    "yamato-transport": "yamato", "taqbin-jp": "yamato", "sagawa": "sagawa", "japan-post": "japan_post",
    "ups": "ups", "fedex": "fedex", "usps": "usps", "dhl": "dhl", "dhl-express": "dhl",
    "UPS": "ups", "FedEx": "fedex", "USPS": "usps", "DHLExpress": "dhl", "DHL": "dhl",
}
_CARRIER_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,31}$")
_TRACKING_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{3,62}[A-Za-z0-9]$")
_EVENT_ID_RE = re.compile(r"^[\x21-\x7e]{1,200}$")
STALLED_BUSINESS_DAYS = 3
ANXIOUS_VIEWS = 3
MAX_EVENTS_PER_CALL = 500


# --- carriers ---------------------------------------------------------------------------------

def normalize_carrier(code: str) -> str:
    code = (code or "").strip().lower().replace(" ", "_")
    return CARRIER_ALIASES.get(code, code)


def provider_carrier(code: Any) -> str:
    """A tracking provider's courier slug as our carrier code."""
    code = str(code or "")
    return PROVIDER_COURIERS.get(code, normalize_carrier(code))


def provider_event_id(own: Any, *, carrier: str, number: Any, occurred: Any, status: str, location: str) -> str:
    """A provider event's id: its own identity when it has one, else a hash of what makes the scan
    itself (carrier, number, time, status, location), never its place in the list, so a resend with
    an earlier scan added, or in another order, stores each scan once."""
    if isinstance(own, str | int) and not isinstance(own, bool) and _EVENT_ID_RE.match(str(own)):
        return str(own)
    what = [normalize_carrier(carrier), normalize_tracking_number(str(number or "")), str(occurred or ""), status,
            location]
    return "h_" + hashlib.sha256(json.dumps(what, ensure_ascii=False).encode()).hexdigest()[:40]


def normalize_tracking_number(number: str) -> str:
    """Compare tracking numbers without spaces, dashes or case (`4012-3456-7890` == `401234567890`)."""
    return re.sub(r"[\s\-]", "", number or "").upper()


def carrier_name(code: str) -> str:
    """The carrier's name as an English msgid (pages and emails translate it when they show it)."""
    code = normalize_carrier(code) if code else ""
    return CARRIERS.get(code, (code.upper(), ""))[0]


def carrier_url(code: str, tracking_number: str) -> str | None:
    """The carrier's own tracking page for this parcel, or None for a carrier we do not know."""
    template = CARRIERS.get(normalize_carrier(code), ("", ""))[1]
    if not template:
        return None
    return template.format(n=quote(normalize_tracking_number(tracking_number), safe=""))


#: the carriers' own redelivery (再配達) pages, for a parcel the driver could not hand over; {n} is the
#: URL-quoted tracking number where the page takes it. Yamato: the parcel's 受取日時変更 page (its
#: tracking result's "change delivery" entry); Japan Post: 再配達のお申し込み (the shopper types the
#: number shown beside the link); Sagawa: the parcel's tracking result, whose 再配達のお申し込み button
#: carries the number on (Sagawa has no public redelivery URL that takes one).
REDELIVERY: dict[str, str] = {
    "yamato": "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id={n}",
    "sagawa": "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={n}",
    "japan_post": "https://trackings.post.japanpost.jp/delivery/deli/",
}
#: the moments a shopper arranges a redelivery: a failed attempt (nobody home), a parcel held for them
REDELIVERY_STATUSES = frozenset({"failed_attempt"})


def redelivery_url(code: str, tracking_number: str, status: str) -> str | None:
    """The carrier's redelivery page for a parcel whose delivery attempt failed, or None (another
    status, or a carrier without one)."""
    if status not in REDELIVERY_STATUSES:
        return None
    template = REDELIVERY.get(normalize_carrier(code))
    if not template:
        return None
    return template.format(n=quote(normalize_tracking_number(tracking_number), safe=""))


def tracking_key(merchant_id: int, carrier: str, number: str) -> str:
    """How carrier events find their shipment: merchant, carrier and the number without spaces or dashes."""
    return scoped(merchant_id, normalize_carrier(carrier), normalize_tracking_number(number))


def shipment_key(order_id: int, shipment_id: str) -> str:
    """A shipment's unique key: the merchant's shipment id within its order."""
    return scoped(order_id, shipment_id)


def event_key(ship_id: int, event_id: str) -> str:
    """A carrier event's unique key: the same event is stored once per shipment, whatever races."""
    return scoped(ship_id, event_id)


# --- reading input ----------------------------------------------------------------------------

def _datetime(r: Reader, value: Any, field: str, *, required: bool) -> dt.datetime | None:
    if value in (None, ""):
        if required:
            r.error(field, "is required (ISO 8601 date and time with offset)")
        return None
    if not isinstance(value, str) or len(value) > 40:
        r.error(field, "must be an ISO 8601 date and time with offset")
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        r.error(field, "must be an ISO 8601 date and time with offset")
        return None
    if parsed.tzinfo is None:
        r.error(field, "needs a UTC offset (for example +09:00)")
        return None
    return parsed.astimezone(dt.UTC)


def _date(r: Reader, value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        r.error(field, "must be a date (YYYY-MM-DD)")
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        r.error(field, "must be a date (YYYY-MM-DD)")
        return None


def _text(r: Reader, value: Any, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        r.error(field, "must be text")
        return ""
    if len(value) > limit:
        r.error(field, f"must be at most {limit} characters")
        return ""
    return value.strip()


def read_shipment(body: Any, order_lines: dict[str, int], other_shipments: dict[str, int]) -> tuple[dict[str, Any], list[Any]]:
    """A shipment PUT body -> (values, errors). `order_lines` maps line id -> ordered quantity;
    `other_shipments` maps line id -> quantity already in the order's other shipments."""
    r = Reader()
    if not isinstance(body, dict):
        return {}, [{"field": "body", "message": "must be a JSON object"}]
    carrier_in = body.get("carrier")
    carrier = normalize_carrier(carrier_in if isinstance(carrier_in, str) else "")
    if not _CARRIER_RE.match(carrier):
        r.error("carrier", "is required: a carrier code such as yamato, sagawa, japan_post, ups, fedex, usps or dhl")
    number = body.get("tracking_number")
    if not isinstance(number, str) or not _TRACKING_RE.match(number.strip()):
        r.error("tracking_number", "must be 5 to 64 letters, digits, spaces or dashes")
        number = ""
    lines_in = body.get("lines")
    lines: list[dict[str, Any]] = []
    if not isinstance(lines_in, list) or not lines_in:
        r.error("lines", "must list the shipped lines: [{\"line_id\", \"quantity\"}]")
    else:
        seen: set[str] = set()
        for i, item in enumerate(lines_in[:500]):
            if not isinstance(item, dict):
                r.error(f"lines[{i}]", "must be an object")
                continue
            line_id, qty = item.get("line_id"), item.get("quantity")
            if not isinstance(line_id, str) or line_id not in order_lines:
                r.error(f"lines[{i}].line_id", "is not a line of this order")
                continue
            if line_id in seen:
                r.error(f"lines[{i}].line_id", "is listed twice")
                continue
            seen.add(line_id)
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
                r.error(f"lines[{i}].quantity", "must be a whole number of at least 1")
                continue
            left = order_lines[line_id] - other_shipments.get(line_id, 0)
            if qty > left:
                r.error(f"lines[{i}].quantity", f"is more than the {left} not yet in another shipment")
                continue
            lines.append({"line_id": line_id, "quantity": qty})
    shipped_at = _datetime(r, body.get("shipped_at"), "shipped_at", required=False)
    estimate = _date(r, body.get("estimated_delivery"), "estimated_delivery")
    service = _text(r, body.get("service"), "service", 64)
    origin = body.get("origin")
    if origin is not None and not isinstance(origin, dict):
        r.error("origin", "must be an address object: {\"country\", \"region\", \"postal_code\"}")
        origin = None
    if r.errors:
        return {}, r.errors
    return {"carrier": carrier, "tracking_number": number.strip(), "lines": lines, "shipped_at": shipped_at,
            "estimate": estimate, "service": service, "origin": origin}, []


def read_events(body: Any) -> tuple[dict[str, Any], list[Any]]:
    """`{"carrier", "tracking_number", "events": [...]}` -> ({carrier, tracking_number, events}, errors)."""
    r = Reader()
    if not isinstance(body, dict):
        return {}, [{"field": "body", "message": "must be a JSON object"}]
    carrier_in = body.get("carrier")
    carrier = normalize_carrier(carrier_in if isinstance(carrier_in, str) else "")
    if not _CARRIER_RE.match(carrier):
        r.error("carrier", "is required")
    number = body.get("tracking_number")
    if not isinstance(number, str) or not _TRACKING_RE.match(number.strip()):
        r.error("tracking_number", "must be 5 to 64 letters, digits, spaces or dashes")
        number = ""
    raw = body.get("events")
    events: list[dict[str, Any]] = []
    if not isinstance(raw, list):
        r.error("events", "must be a list")
        raw = []
    elif len(raw) > MAX_EVENTS_PER_CALL:
        r.error("events", f"at most {MAX_EVENTS_PER_CALL} events per call")
        raw = []
    for i, ev in enumerate(raw):
        events.append(read_event(r, ev, f"events[{i}]"))
    if r.errors:
        return {}, r.errors
    return {"carrier": carrier, "tracking_number": number.strip(), "events": events}, []


def read_event(r: Reader, ev: Any, field: str) -> dict[str, Any]:
    if not isinstance(ev, dict):
        r.error(field, "must be an object")
        return {}
    event_id = ev.get("id")
    if not isinstance(event_id, str) or not _EVENT_ID_RE.match(event_id):
        r.error(f"{field}.id", "is required: 1 to 200 printable characters")
    status = ev.get("status")
    if status not in STATUSES:
        r.error(f"{field}.status", "must be one of " + ", ".join(STATUSES))
    substatus = ev.get("substatus") or ""
    if not isinstance(substatus, str) or not re.match(r"^[a-z_]{0,40}$", substatus):
        r.error(f"{field}.substatus", "must be a lower-case code such as weather or customs_hold")
        substatus = ""
    return {
        "event_id": event_id if isinstance(event_id, str) else "",
        "status": status,
        "substatus": substatus,
        "occurred_at": _datetime(r, ev.get("occurred_at"), f"{field}.occurred_at", required=True),
        "location": _text(r, ev.get("location"), f"{field}.location", 200),
        "message": _text(r, ev.get("message"), f"{field}.message", 500),
        "carrier_code": _text(r, ev.get("carrier_code"), f"{field}.carrier_code", 64),
        "estimated_delivery": _date(r, ev.get("estimated_delivery"), f"{field}.estimated_delivery"),
    }


# --- the shipment's state ---------------------------------------------------------------------

@dataclass(frozen=True)
class State:
    status: str
    substatus: str
    status_at: dt.datetime | None
    last_event_at: dt.datetime | None
    delivered_at: dt.datetime | None
    estimate: dt.date | None


def _order_key(ev: dict[str, Any]) -> tuple[Any, ...]:
    return (ev["occurred_at"], PROGRESS.get(ev["status"], 0), ev.get("event_id", ""))


def timeline(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events in the order they happened (a late arrival takes its place), newest first."""
    return sorted(events, key=_order_key, reverse=True)


def current_state(events: Sequence[dict[str, Any]], shipment_estimate: dt.date | None) -> State:
    """The status is the latest event's by occurred_at (ties: the further status wins). Once
    delivered, only a later returned_to_sender or exception moves it on: a stray in-transit scan
    after delivery never moves a shipment backwards."""
    if not events:
        return State(PENDING, "", None, None, None, shipment_estimate)
    ordered = sorted(events, key=_order_key)
    current = ordered[0]
    delivered_at = None
    for ev in ordered:
        if current["status"] == DELIVERED and ev["status"] not in AFTER_DELIVERY:
            continue
        current = ev
        if ev["status"] == DELIVERED:
            delivered_at = ev["occurred_at"]
    if current["status"] != DELIVERED:
        delivered_at = None
    estimate = shipment_estimate
    for ev in ordered:
        if ev.get("estimated_delivery"):
            estimate = ev["estimated_delivery"]
    return State(current["status"], current.get("substatus") or "", current["occurred_at"], ordered[-1]["occurred_at"],
                 delivered_at, estimate)


LATER = "later"
EARLIER = "earlier"


def estimate_change(first: dt.date | None, current: dt.date | None) -> str | None:
    """LATER when the estimate moved past the first promise, EARLIER when it moved ahead, else None."""
    if first is None or current is None or first == current:
        return None
    return LATER if current > first else EARLIER


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except Exception:
        return ZoneInfo("UTC")


def local_date(moment: dt.datetime, tz: str) -> dt.date:
    return moment.astimezone(_zone(tz)).date()


def is_late(status: str, estimate: dt.date | None, now: dt.datetime, tz: str) -> bool:
    """The estimate has passed (in the shopper's time zone) and the parcel is not delivered."""
    if estimate is None or status in FINAL:
        return False
    return local_date(now, tz) > estimate


def business_days_between(start: dt.date, end: dt.date, holidays: frozenset[dt.date] = frozenset()) -> int:
    """Whole business days (Mon–Fri, not holidays) after `start` up to and including `end`."""
    if end <= start:
        return 0
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days += 1
    return days


def is_stalled(status: str, last_activity: dt.datetime | None, now: dt.datetime, tz: str, *,
               days: int = STALLED_BUSINESS_DAYS, holidays: frozenset[dt.date] = frozenset()) -> bool:
    """No scan for `days` business days since the label (or the last scan) and not yet final.
    A parcel waiting at a pickup point is not stalled: it waits for the shopper."""
    if last_activity is None or status in FINAL or status == AVAILABLE_FOR_PICKUP:
        return False
    return business_days_between(local_date(last_activity, tz), local_date(now, tz), holidays) >= days


def is_anxious(views_last_24h: int, stalled: bool, late: bool, *, threshold: int = ANXIOUS_VIEWS) -> bool:
    return views_last_24h >= threshold and (stalled or late)


# --- orders -----------------------------------------------------------------------------------

FULFILLMENT_RANK = {"unfulfilled": 0, "partially_shipped": 1, "shipped": 2, "delivered": 3}


def fulfillment_status(current: str, ordered: dict[str, int], shipped: dict[str, int],
                       delivered: dict[str, int]) -> str:
    """The order's fulfilment status from its shipments, never moved backwards by carrier events and
    never touching statuses other areas own (cancelled, picked_up, returned, ...)."""
    if current not in FULFILLMENT_RANK:
        return current
    total = sum(ordered.values())
    n_shipped = sum(min(shipped.get(k, 0), q) for k, q in ordered.items())
    n_delivered = sum(min(delivered.get(k, 0), q) for k, q in ordered.items())
    if total and n_delivered >= total:
        computed = "delivered"
    elif total and n_shipped >= total:
        computed = "shipped"
    elif n_shipped > 0:
        computed = "partially_shipped"
    else:
        computed = "unfulfilled"
    return computed if FULFILLMENT_RANK[computed] > FULFILLMENT_RANK[current] else current


@dataclass(frozen=True)
class ItemsSummary:
    """Item counts for "2 of 3 items delivered"."""

    delivered: int
    shipped: int
    total: int

    @property
    def all_delivered(self) -> bool:
        return self.total > 0 and self.delivered >= self.total


def items_summary(shipments: Sequence[tuple[str, int]], total_items: int) -> ItemsSummary:
    """(status, item count) per shipment -> counts for "2 of 3 items delivered"."""
    delivered = sum(n for status, n in shipments if status == DELIVERED)
    shipped = sum(n for status, n in shipments if status not in NOT_SHIPPED)
    return ItemsSummary(delivered, shipped, total_items)


# --- provider adapters --------------------------------------------------------------------------

AFTERSHIP_TAGS = {
    "Pending": "pending", "InfoReceived": "info_received", "InTransit": "in_transit",
    "OutForDelivery": "out_for_delivery", "AttemptFail": "failed_attempt", "Delivered": "delivered",
    "AvailableForPickup": "available_for_pickup", "Exception": "exception", "Expired": "expired",
}
AFTERSHIP_SUBTAGS = {
    "Delivered_002": "delivered_to_locker", "Delivered_003": "delivered_to_neighbour",
    "Delivered_004": "delivered_to_reception", "AttemptFail_002": "recipient_unavailable",
    "AttemptFail_003": "business_closed", "Exception_002": "address_issue", "Exception_004": "recipient_unavailable",
    "Exception_005": "delayed", "Exception_006": "customs_hold", "Exception_007": "damaged",
    "Exception_008": "refused", "Exception_009": "weather", "Exception_010": "returned_to_sender",
    "Exception_011": "returned_to_sender", "Exception_012": "lost", "Exception_013": "lost",
    "InTransit_009": "delayed",
}
EASYPOST_STATUSES = {
    "unknown": "pending", "pre_transit": "info_received", "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery", "delivered": "delivered", "available_for_pickup": "available_for_pickup",
    "return_to_sender": "returned_to_sender", "failure": "exception", "cancelled": "expired", "error": "exception",
}
EASYPOST_DETAILS = {
    "weather_delay": "weather", "address_not_found": "address_issue", "incorrect_address": "address_issue",
    "damaged": "damaged", "lost": "lost", "refused": "refused", "receiver_unavailable": "recipient_unavailable",
    "customs_hold": "customs_hold", "held_at_customs": "customs_hold", "delayed": "delayed",
    "business_closed": "business_closed", "arrived_at_pickup_location": "", "held": "held_at_facility",
    "return_to_sender": "",
}


def aftership_status(tag: str, subtag: str | None) -> tuple[str, str]:
    status = AFTERSHIP_TAGS.get(tag or "", "in_transit" if tag else "pending")
    sub = AFTERSHIP_SUBTAGS.get(subtag or "", "")
    if sub == "returned_to_sender":
        return "returned_to_sender", ""
    return status, sub


def easypost_status(status: str, detail: str | None) -> tuple[str, str]:
    return EASYPOST_STATUSES.get(status or "", "pending"), EASYPOST_DETAILS.get(detail or "", "")


# --- the delivery promise (one per shipment and per order; every page, email and API answer) --------
#
# The carrier's estimate when it has one, else our own prediction (transit business days learnt from
# this shop's deliveries on the same lane, else the merchant's SLA), in the merchant's time zone, never
# before the order date, "today" once out for delivery, the delivered time once delivered, late the
# moment its last day has passed. Words live in components/promise.py; this is the decision.

CARRIER_PROMISE, PREDICTED_PROMISE, DELIVERED_PROMISE = "carrier", "predicted", "delivered"
#: deliveries a lane needs before its own figures replace the merchant's SLA
MIN_SAMPLES = 5
#: the newest deliveries of a lane its figures are learnt from
SAMPLE_LIMIT = 200
CALENDARS = ("JP", "US", "")
DELIVERY_DEFAULTS: dict[str, Any] = {
    "cutoff": "15:00",          # orders placed (parcels handed over) after this leave the next business day
    "processing_days": 1,       # business days to pack an order before it ships
    "transit_days": 2,          # the SLA: business days in transit, usually ...
    "transit_days_max": 4,      # ... and at most
    "calendar": "",             # JP or US public holidays; "" = from the merchant's country
}
_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def validate_delivery_settings(body: object) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Merchant.settings["delivery"] -> (clean settings, errors as {"field", "code", "message"})."""
    if not isinstance(body, dict):
        return {}, [v.field_error("delivery", v.NOT_OBJECT)]
    clean: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name in body:
        if name not in DELIVERY_DEFAULTS:
            errors.append(v.field_error(f"delivery.{name}"[:100], v.UNKNOWN_KEY))
    if "cutoff" in body:
        if isinstance(body["cutoff"], str) and _HHMM_RE.match(body["cutoff"]):
            clean["cutoff"] = body["cutoff"]
        else:
            errors.append(v.field_error("delivery.cutoff", v.NOT_TIME, "must be a time like 15:00", example="15:00"))
    for name, top in (("processing_days", 30), ("transit_days", 60), ("transit_days_max", 60)):
        if name in body:
            value = body[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
                errors.append(v.field_error(f"delivery.{name}", v.OUT_OF_RANGE, f"must be a whole number from 0 to {top}",
                                            low=0, high=top))
            else:
                clean[name] = value
    if clean.get("transit_days_max", 10**6) < clean.get("transit_days", 0):
        errors.append(v.field_error("delivery.transit_days_max", v.OUT_OF_RANGE,
                                    "must be at least the usual transit days", low=clean["transit_days"], high=60))
    if "calendar" in body:
        if body["calendar"] in CALENDARS:
            clean["calendar"] = body["calendar"]
        else:
            errors.append(v.field_error("delivery.calendar", v.NOT_CHOICE, "must be JP, US or empty"))
    return clean, errors


def calendar_country(country: str, tz: str) -> str:
    """The holiday calendar a merchant without a chosen one follows: its address's country, else its
    time zone's (Asia/Tokyo: JP; America/...: US), else none (weekends only)."""
    country = (country or "").upper()
    if country in ("JP", "US"):
        return country
    if tz == "Asia/Tokyo":
        return "JP"
    if tz.startswith(("America/", "US/", "Pacific/Honolulu")):
        return "US"
    return ""


def read_delivery_settings(raw: object, country: str = "") -> dict[str, Any]:
    """The merchant's delivery settings with defaults filled in (bad stored values fall back too); the
    calendar defaults to `country` (rules.calendar_country) when it has a known one."""
    clean, _errors = validate_delivery_settings({k: val for k, val in (raw if isinstance(raw, dict) else {}).items()
                                                 if k in DELIVERY_DEFAULTS})
    out = {**DELIVERY_DEFAULTS, **clean}
    if out["transit_days_max"] < out["transit_days"]:
        out["transit_days_max"] = out["transit_days"]
    if not out["calendar"] and country.upper() in CALENDARS:
        out["calendar"] = country.upper()
    return out


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[dt.date]:
    """The country's public holidays (Japan adds the banks' New Year days, 12/31-1/3, when carriers
    and warehouses close). Pure data, no words: safe to keep across requests."""
    if country not in ("JP", "US"):
        return frozenset()
    categories = ("public", "bank") if country == "JP" else ("public",)
    return frozenset(holidays_lib.country_holidays(country, years=year, categories=categories))


@dataclass(frozen=True)
class Calendar:
    """Business days: Monday to Friday, not a public holiday of `country` (JP, US, or none)."""

    country: str = ""

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in _public_holidays(self.country, day.year)

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def add(self, day: dt.date, n: int) -> dt.date:
        """`n` business days after `day` (`day` itself when n is 0)."""
        for _ in range(max(n, 0)):
            day = self.next_business_day(day)
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Business days after `start` up to and including `end`."""
        return business_days_between(start, end, frozenset(
            d for y in range(start.year, end.year + 1) for d in _public_holidays(self.country, y)))


def _cutoff(settings: dict[str, Any]) -> dt.time:
    return dt.time.fromisoformat(settings.get("cutoff") or DELIVERY_DEFAULTS["cutoff"])


def leaves_on(moment: dt.datetime, tz: str, cal: Calendar, cutoff: dt.time) -> dt.date:
    """The business day something handed over at `moment` starts moving: that day before the cut-off
    on a business day, else the next business day."""
    local = moment.astimezone(_zone(tz))
    day = local.date()
    if cal.is_business_day(day) and local.time() < cutoff:
        return day
    return cal.next_business_day(day)


def ships_on(placed_at: dt.datetime, tz: str, cal: Calendar, settings: dict[str, Any]) -> dt.date:
    """The day an order placed at `placed_at` leaves us: cut-off, then the processing days."""
    return cal.add(leaves_on(placed_at, tz, cal, _cutoff(settings)), int(settings.get("processing_days") or 0))


def transit_days_taken(shipped_at: dt.datetime, delivered_at: dt.datetime, tz: str, cal: Calendar,
                       settings: dict[str, Any]) -> int:
    """Business days a delivered parcel spent in transit (what the lane's figures are learnt from)."""
    start = leaves_on(shipped_at, tz, cal, _cutoff(settings))
    return cal.between(start, local_date(delivered_at, tz))


def region_of(address: dict[str, Any] | None) -> str:
    """A coarse region for learning transit times: country plus prefecture or state (US state names
    read as their codes), else the postal code's first three digits."""
    a = address or {}
    country = str(a.get("country") or "").upper().strip()
    region = str(a.get("region") or "").strip()
    if region:
        if country == "US":
            aliases = {k.lower(): val for k, val in getattr(holidays_lib.US, "subdivisions_aliases", {}).items()}
            region = aliases.get(region.lower(), region.upper())
        return f"{country}:{region}"[:60]
    postal = re.sub(r"\D", "", unicodedata.normalize("NFKC", str(a.get("postal_code") or "")))
    return f"{country}:{postal[:3]}" if postal else country


def lane_key(merchant_id: int, carrier: str, service: str, origin: str, destination: str) -> str:
    """One lane of a shop's deliveries: carrier × service × origin region → destination region."""
    return scoped(merchant_id, normalize_carrier(carrier), service.strip().lower(), origin, destination)[:300]


@dataclass(frozen=True)
class Transit:
    """Business days in transit on a lane: the median and the 90th percentile."""

    median: int
    p90: int
    samples: int
    #: "history" (learnt from `samples` deliveries) or "sla" (the merchant's settings)
    source: str


def nearest_rank(values: Sequence[int], pct: float) -> int:
    """The nearest-rank percentile (a value that occurred: whole business days)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def learn_transit(days: Sequence[int], settings: dict[str, Any]) -> Transit:
    """A lane's figures from its delivered history, or the SLA while it has fewer than MIN_SAMPLES."""
    if len(days) >= MIN_SAMPLES:
        return Transit(nearest_rank(days, 50), nearest_rank(days, 90), len(days), "history")
    usual = int(settings.get("transit_days", DELIVERY_DEFAULTS["transit_days"]))
    return Transit(usual, max(usual, int(settings.get("transit_days_max", usual))), 0, "sla")


@dataclass(frozen=True)
class Promise:
    """When the parcel (or the whole order) arrives, as the shopper is told everywhere."""

    kind: str                               # carrier | predicted | delivered
    date_from: dt.date | None
    date_to: dt.date | None
    #: the shopper's today (merchant's time zone) when the promise was computed: words say "today"
    today: dt.date
    late: bool = False
    #: the first day it is late (the day after date_to)
    late_since: dt.date | None = None
    delivered_at: dt.datetime | None = None
    #: our 90th percentile passes the date promised: "it may take a little longer"
    trending_late: bool = False

    @property
    def is_range(self) -> bool:
        return self.date_from is not None and self.date_to is not None and self.date_from != self.date_to

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "late": self.late,
            "late_since": self.late_since.isoformat() if self.late_since else None,
            "trending_late": self.trending_late,
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
        }


def _dated(kind: str, first: dt.date, last: dt.date, *, today: dt.date, floor: dt.date,
           promised: dt.date | None, p90: dt.date | None) -> Promise:
    first, last = max(first, floor), max(last, floor)
    first = min(first, last)
    late = today > last
    if not late and first < today <= last:
        first = today  # a range never starts in the past
    trending = not late and p90 is not None and promised is not None and p90 > promised
    return Promise(kind, first, last, today, late, last + dt.timedelta(days=1) if late else None, None, trending)


def shipment_promise(*, status: str, delivered_at: dt.datetime | None, carrier_estimate: dt.date | None,
                     shipped_at: dt.datetime | None, placed_at: dt.datetime, now: dt.datetime, tz: str,
                     cal: Calendar, settings: dict[str, Any], transit: Transit,
                     checkout_promise: dt.date | None = None, ships_from: dt.date | None = None) -> Promise | None:
    """One shipment's promise; None when the parcel will not arrive (returning to us, no longer tracked).
    `ships_from`: for items not shipped yet, the day the storefront expects to ship backordered ones
    (db/orders/rules.backorder_ship_date); they leave no earlier than that."""
    today = local_date(now, tz)
    if status == DELIVERED:
        at = delivered_at or now
        return Promise(DELIVERED_PROMISE, local_date(at, tz), local_date(at, tz), today, delivered_at=at)
    if status in UNDELIVERABLE:
        return None
    floor = local_date(placed_at, tz)
    start = leaves_on(shipped_at, tz, cal, _cutoff(settings)) if shipped_at else ships_on(placed_at, tz, cal, settings)
    if shipped_at is None and ships_from is not None and ships_from > start:
        start = ships_from if cal.is_business_day(ships_from) else cal.next_business_day(ships_from)
    p90 = cal.add(start, transit.p90)
    trend = p90 if transit.source == "history" else None  # only learnt figures make a trend
    if status == OUT_FOR_DELIVERY:
        kind = CARRIER_PROMISE if carrier_estimate else PREDICTED_PROMISE
        return Promise(kind, max(today, floor), max(today, floor), today)
    if carrier_estimate is not None:
        return _dated(CARRIER_PROMISE, carrier_estimate, carrier_estimate, today=today, floor=floor,
                      promised=carrier_estimate, p90=trend)
    return _dated(PREDICTED_PROMISE, cal.add(start, transit.median), p90, today=today, floor=floor,
                  promised=checkout_promise, p90=trend)


def unshipped_promise(*, placed_at: dt.datetime, now: dt.datetime, tz: str, cal: Calendar, settings: dict[str, Any],
                      transit: Transit, checkout_promise: dt.date | None = None,
                      ships_from: dt.date | None = None) -> Promise:
    """Items not in a shipment yet: our prediction from the order date (cut-off, processing, transit),
    or from the storefront's expected ship date of backordered items when that is later."""
    promise = shipment_promise(status=PENDING, delivered_at=None, carrier_estimate=None, shipped_at=None,
                               placed_at=placed_at, now=now, tz=tz, cal=cal, settings=settings, transit=transit,
                               checkout_promise=checkout_promise, ships_from=ships_from)
    assert promise is not None  # a pending parcel always has one
    return promise


#: shipment statuses of a parcel still on its way to the shopper (before "out for delivery")
ON_THE_WAY = ("pending", "info_received", "in_transit")


def arrives_tomorrow(status: str, p: Promise | None) -> bool:
    """A parcel still on its way whose promise says "arriving tomorrow" (one date, the day after the
    merchant's today, not late): the shopper's email and the merchant's `shipment.arriving_tomorrow`."""
    return (status in ON_THE_WAY and p is not None and p.kind != DELIVERED_PROMISE and not p.late
            and not p.is_range and p.date_to is not None and p.date_to == p.today + dt.timedelta(days=1))


def order_promise(parts: Sequence[Promise | None]) -> Promise | None:
    """The order's promise from its shipments' (and its unshipped items'): delivered when every part is,
    at the latest delivery; else the last date still to come, late when any part is late."""
    known = [p for p in parts if p is not None]
    if not known:
        return None
    open_ = [p for p in known if p.kind != DELIVERED_PROMISE]
    if not open_:
        return max(known, key=lambda p: p.delivered_at or dt.datetime.min.replace(tzinfo=dt.UTC))
    late = [p for p in open_ if p.late]
    if late:
        return min(late, key=lambda p: p.late_since or dt.date.max)
    last = max(open_, key=lambda p: (p.date_to or dt.date.min, p.date_from or dt.date.min))
    if any(p.trending_late for p in open_) and not last.trending_late:
        return Promise(last.kind, last.date_from, last.date_to, last.today, trending_late=True)
    return last
