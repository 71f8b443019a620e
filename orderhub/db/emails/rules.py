"""Pure decisions for transactional emails (no I/O, no clock: `now` is a parameter).

Which events become which message (and what each kind of message is called), the life of a
message in the outbox, the merchant's email settings, good manners (quiet hours in the shopper's
time zone, at most one in-transit update per shipment per N hours, no marketing unless allowed),
the retry schedule, and the SMTP URL.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global

from orderhub.db import validation as v
from orderhub.db.keys import scoped

# --- refusals: stable codes (the API answers the English; pages map the code to a catalog message) -

NOT_FOUND = "email.not_found"
NOT_RETRYABLE = "email.not_retryable"

# --- a message's life in the outbox (EmailMessage.state) -----------------------------------------

PENDING, SENDING, SENT, DEAD, SUPPRESSED, SKIPPED = "pending", "sending", "sent", "dead", "suppressed", "skipped"
#: taken back before it went out: what it announced was undone (db/outbox/withdraw.py); never sent again
WITHDRAWN = "withdrawn"
#: pending -> sending -> sent | pending (retry) | dead; suppressed (throttled) and skipped (stale, no
#: recipient) never go out; pending -> withdrawn
STATES = (PENDING, SENDING, SENT, DEAD, SUPPRESSED, SKIPPED, WITHDRAWN)
#: still to go out (waiting for its time, or being sent)
WAITING = (PENDING, SENDING)
#: written and not held back: counts for the in-transit throttle
WRITTEN = (PENDING, SENDING, SENT)
#: what the merchant may send again
RETRYABLE = (DEAD, SUPPRESSED, SKIPPED)


def waiting(state: str) -> bool:
    return state in WAITING


def retryable(state: str, recipient: str) -> bool:
    """A dead, suppressed or skipped message can be sent again, when it has somebody to go to."""
    return state in RETRYABLE and bool(recipient)

# --- events -> messages ------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    kind: str
    #: the hub section the message's link opens ("" = the hub's confirmation page)
    section: str
    #: goes out even in quiet hours (the shopper just acted, or must act now)
    urgent: bool = False
    #: an in-transit update (arriving, delayed): at most one per shipment per `transit_every_hours`;
    #: the "shipped" announcement, deliveries and exceptions always go out
    in_transit: bool = False


#: the shopper-facing events; every other event (merchant-only ones such as return.requested,
#: pickup.arrived, feedback.detractor) writes no email
EVENTS: dict[str, Spec] = {
    "order.confirmed": Spec("order_confirmed", "", urgent=True),
    "shipment.shipped": Spec("shipped", "tracking"),
    "shipment.out_for_delivery": Spec("arriving_today", "tracking", urgent=True, in_transit=True),
    "shipment.arriving_tomorrow": Spec("arriving_tomorrow", "tracking", in_transit=True),
    "shipment.delayed": Spec("delayed", "tracking", in_transit=True),
    "shipment.exception": Spec("exception", "tracking", urgent=True),
    "shipment.failed_attempt": Spec("exception", "tracking", urgent=True),
    "shipment.available_for_pickup": Spec("exception", "tracking", urgent=True),
    "shipment.delivered": Spec("delivered", "tracking", urgent=True),
    "pickup.ready": Spec("pickup_ready", "pickup"),
    "pickup.reminder": Spec("pickup_reminder", "pickup"),
    "pickup.expired": Spec("pickup_expired", "pickup"),
    "return.approved": Spec("return_approved", "returns"),
    "return.received": Spec("return_received", "returns"),
    "return.refunded": Spec("return_refunded", "returns"),
    "return.rejected": Spec("return_rejected", "returns"),
    "return.in_transit": Spec("return_in_transit", "returns"),
    #: the prepaid label (or 着払い slip) of a mail return is ready (db/returns/label_jobs.py)
    "return.label_created": Spec("return_label", "returns"),
    #: an exchange's replacement is sent (returns/services: received -> exchanged issues it)
    "return.exchanged": Spec("exchange_shipped", "returns"),
    "claim.resolved": Spec("claim_resolved", "returns"),
    #: a reception at a store counter was undone after its email went out (db/returns/counter.py)
    "return.correction": Spec("return_correction", "returns", urgent=True),
    #: unshipped past the processing promise (db/orders/delays.py), once per expected ship date
    "order.delayed": Spec("order_delayed", ""),
    "feedback.review_invitation": Spec("review_invitation", "feedback"),
    "feedback.survey_invitation": Spec("survey_invitation", "feedback"),
    "order.changed": Spec("change_applied", "change", urgent=True),
    "order.change_refused": Spec("change_refused", "change", urgent=True),
    "stepup.code": Spec("stepup_code", "", urgent=True),
    "order.cancelled": Spec("order_cancelled", "cancel", urgent=True),
    "order.cancel_refused": Spec("cancel_refused", "cancel", urgent=True),
    "payment.received": Spec("payment_received", ""),
    #: a home pickup of a return booked, moved or cancelled (db/returns/home_pickup): the shopper just acted
    "return.pickup_booked": Spec("pickup_booked", "returns", urgent=True),
    "return.pickup_rescheduled": Spec("pickup_rescheduled", "returns", urgent=True),
    "return.pickup_cancelled": Spec("pickup_cancelled", "returns", urgent=True),
    #: an exchange for something else was asked for (what the shopper pays or gets back); the storefront
    #: gave the URL to pay the difference (db/returns/exchanges.py)
    "exchange.created": Spec("exchange_created", "returns", urgent=True),
    "exchange.payment_due": Spec("exchange_payment_due", "returns", urgent=True),
    #: the return was withdrawn after the difference was paid: the difference went back (exchanges.withdraw)
    "return.exchange_refunded": Spec("exchange_refunded", "returns", urgent=True),
}

KINDS: dict[str, str] = {}
for _event, _spec in EVENTS.items():
    KINDS.setdefault(_spec.kind, _event)

#: what each kind of message is called in the merchant's admin (English msgids, translated when shown)
KIND_NAMES: dict[str, str] = {
    "order_confirmed": "Order confirmed", "shipped": "Shipped", "arriving_today": "Arriving today",
    "arriving_tomorrow": "Arriving tomorrow", "delayed": "Delayed", "exception": "Delivery problem",
    "delivered": "Delivered", "pickup_ready": "Ready for pickup", "pickup_reminder": "Pickup reminder",
    "pickup_expired": "Pickup expired", "return_approved": "Return approved", "return_received": "Return received",
    "return_refunded": "Refunded", "review_invitation": "Review invitation", "survey_invitation": "Survey",
    "change_applied": "Delivery change applied", "change_refused": "Delivery change refused",
    "stepup_code": "Verification code", "order_cancelled": "Order cancelled",
    "cancel_refused": "Cancellation refused",
    "payment_received": "Payment received",
    "return_rejected": "Return rejected", "return_in_transit": "Return on its way back",
    "exchange_shipped": "Exchange shipped", "claim_resolved": "Claim resolved", "order_delayed": "Order delayed",
    "return_correction": "Return correction",
    "pickup_booked": "Home pickup booked", "pickup_rescheduled": "Home pickup changed",
    "pickup_cancelled": "Home pickup cancelled",
    "exchange_created": "Exchange requested", "exchange_payment_due": "Pay the difference",
    "return_label": "Return label",
    "exchange_refunded": "Paid difference refunded",
}

#: what the admin calls the message of each event (English msgids, translated when shown): one name
#: per event, so that events sharing a template (a failed delivery attempt, a parcel waiting at a
#: pickup point, a carrier exception) are told apart in the email log
EVENT_NAMES: dict[str, str] = {
    "order.confirmed": "Order confirmed", "shipment.shipped": "Shipped",
    "shipment.out_for_delivery": "Arriving today", "shipment.arriving_tomorrow": "Arriving tomorrow",
    "shipment.delayed": "Delayed", "shipment.exception": "Delivery problem",
    "shipment.failed_attempt": "Delivery attempt failed", "shipment.available_for_pickup": "Waiting at a pickup point",
    "shipment.delivered": "Delivered", "pickup.ready": "Ready for pickup", "pickup.reminder": "Pickup reminder",
    "pickup.expired": "Pickup expired", "return.approved": "Return approved", "return.received": "Return received",
    "return.refunded": "Refunded", "feedback.review_invitation": "Review invitation",
    "order.changed": "Delivery change applied", "order.change_refused": "Delivery change refused",
    "feedback.survey_invitation": "Survey", "stepup.code": "Verification code",
    "order.cancelled": "Order cancelled", "order.cancel_refused": "Cancellation refused",
    "payment.received": "Payment received", "return.rejected": "Return rejected",
    "return.in_transit": "Return on its way back", "return.exchanged": "Exchange shipped",
    "claim.resolved": "Claim resolved", "order.delayed": "Order delayed",
    "return.correction": "Return correction",
    "return.pickup_booked": "Home pickup booked", "return.pickup_rescheduled": "Home pickup changed",
    "return.pickup_cancelled": "Home pickup cancelled",
    "exchange.created": "Exchange requested", "exchange.payment_due": "Pay the difference",
    "return.label_created": "Return label",
    "return.exchange_refunded": "Paid difference refunded",
}


def event_name(event: str, kind: str) -> str:
    """The English name of a message: its event's, else its kind's (rows of an event since renamed)."""
    return EVENT_NAMES.get(event) or KIND_NAMES.get(kind) or kind


IN_TRANSIT_KINDS = sorted({s.kind for s in EVENTS.values() if s.in_transit})
#: kinds that may carry cross-sells (when allowed): the confirmation and the delivery
MARKETING_KINDS = {"order_confirmed", "delivered"}


def spec_for(event: str) -> Spec | None:
    return EVENTS.get(event)


def dedupe_key(merchant_id: int, order_id: int, event: str, payload: dict[str, Any]) -> str:
    """One message per state change: the same change reported twice maps to the same key."""
    spec = EVENTS[event]
    p = payload or {}
    what: tuple[str, ...]
    if event.startswith("shipment."):
        what = (str(p.get("shipment_id", "")), str(p.get("status", "")), str(p.get("substatus") or ""))
        if event == "shipment.delayed":
            what = (str(p.get("shipment_id", "")), str(p.get("estimated_delivery") or ""))
        if event == "shipment.arriving_tomorrow":  # once per promised date (the carrier's or ours)
            what = (str(p.get("shipment_id", "")),
                    str((p.get("promise") or {}).get("date_to") or p.get("estimated_delivery") or ""))
    elif event.startswith("return.pickup_"):  # every booking, move and cancellation is news (the row's id)
        what = (str((p.get("pickup") or {}).get("id", "")),)
    elif event.startswith(("return.", "exchange.")):
        what = (str(p.get("return_id", "")),)
    elif event.startswith("order.change"):  # one message per delivery change
        what = (str(p.get("change_id", "")),)
    elif event == "stepup.code":  # every code is a message of its own
        what = (str(p.get("challenge_id", "")),)
    elif event in ("order.cancelled", "order.cancel_refused"):  # once per cancellation (a part, then the rest)
        what = (str(p.get("cancellation_id", "")),)
    elif event.startswith("claim."):
        what = (str(p.get("claim_id", "")),)
    elif event == "order.delayed":  # once per expected ship date (a later date is news again)
        what = (str(p.get("expected_ship_date") or ""),)
    else:
        what = ("",)  # order, pickup and feedback messages: once per order
    return scoped(merchant_id, order_id, spec.kind, *what)[:300]


# --- merchant settings (Merchant.settings["emails"]) ----------------------------------------------

DEFAULTS = {"send": True, "quiet_start": "21:00", "quiet_end": "08:00", "transit_every_hours": 24,
            "marketing_eu": False}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def read_emails_settings(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The merchant's email settings with defaults filled in (bad stored values fall back too)."""
    clean, _errors = validate_emails_settings({**DEFAULTS, **(raw if isinstance(raw, dict) else {})})
    return {**DEFAULTS, **clean}


def validate_emails_settings(body: object) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """-> (clean settings, errors as {"field", "code", "message"}) for the admin's form or API."""
    if not isinstance(body, dict):
        return {}, [v.field_error("emails", v.NOT_OBJECT)]
    clean: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name in body:
        if name not in DEFAULTS:
            errors.append(v.field_error(f"emails.{name}"[:100], v.UNKNOWN_KEY))
    for name in ("send", "marketing_eu"):
        if name in body:
            if isinstance(body[name], bool):
                clean[name] = body[name]
            else:
                errors.append(v.field_error(f"emails.{name}", v.NOT_BOOLEAN))
    for name in ("quiet_start", "quiet_end"):
        if name in body:
            if isinstance(body[name], str) and _HHMM.match(body[name]):
                clean[name] = body[name]
            else:
                errors.append(v.field_error(f"emails.{name}", v.NOT_TIME, "must be a time like 21:00", example="21:00"))
    if "transit_every_hours" in body:
        value = body["transit_every_hours"]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 168:
            clean["transit_every_hours"] = value
        else:
            errors.append(v.field_error("emails.transit_every_hours", v.OUT_OF_RANGE, low=0, high=168))
    return clean, errors


# --- good manners --------------------------------------------------------------------------------

#: EU and EEA member states and the UK: consent rules for marketing in email (GDPR, ePrivacy, PECR)
STRICT_MARKETING_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO GB".split()
)


def shopper_timezone(country: str | None, merchant_timezone: str) -> str:
    """The shopper's time zone from the address country (Babel's territory zones); when the country
    spans several zones or there is no address, `merchant_timezone` (the caller passes the pickup
    store's zone for pickups)."""
    zones: list[str] = get_global("territory_zones").get((country or "").upper(), [])
    if len(zones) == 1:
        return zones[0]
    return merchant_timezone if _known_zone(merchant_timezone) else "UTC"


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


def _hm(value: str) -> dt.time:
    h, m = value.split(":")
    return dt.time(int(h), int(m))


def send_at(now: dt.datetime, timezone: str, quiet_start: str, quiet_end: str, *, urgent: bool) -> dt.datetime:
    """When a message may go out: now, or at the end of quiet hours in `timezone` (a window that
    may wrap past midnight; start == end means no quiet hours). Urgent messages never wait."""
    start, end = _hm(quiet_start), _hm(quiet_end)
    if urgent or start == end:
        return now
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    quiet = (start <= t or t < end) if start > end else (start <= t < end)
    if not quiet:
        return now
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


def throttled(kind: str, previous: list[dt.datetime], now: dt.datetime, every_hours: int) -> bool:
    """An in-transit update is held back when another one for the same shipment was written in the
    last `every_hours` hours; deliveries, exceptions and everything else always go out."""
    if kind not in IN_TRANSIT_KINDS or every_hours <= 0:
        return False
    since = now - dt.timedelta(hours=every_hours)
    return any(at > since for at in previous)


def marketing_allowed(kind: str, cross_sells_enabled: bool, country: str | None, marketing_eu: bool) -> bool:
    """Cross-sells in a transactional message: only in the confirmation and delivery messages, only
    when the merchant turned cross-sells on, and for EU/EEA/UK addresses only when the merchant says
    it has consent (marketing_eu)."""
    if kind not in MARKETING_KINDS or not cross_sells_enabled:
        return False
    if (country or "").upper() in STRICT_MARKETING_COUNTRIES:
        return marketing_eu
    return True


# --- sending -------------------------------------------------------------------------------------

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 3600
#: how long a worker holds a claimed message before another may send it again
LEASE_SECONDS = 300
#: messages that could not go out for this long are no longer worth sending
STALE_AFTER = dt.timedelta(days=3)


def next_attempt(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """After `attempts` failed tries: when to try again (exponential backoff), or None (dead)."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + dt.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def stale(created_at: dt.datetime, now: dt.datetime) -> bool:
    return now - created_at > STALE_AFTER


def message_id_header(token: str, from_address: str) -> str:
    """`<token@domain of the From address>`: the same for every (re)send of one message."""
    domain = from_address.rpartition("@")[2].strip(" >") or "orderhub.localhost"
    return f"<{token}@{domain}>"


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    #: "implicit" (smtps://), "starttls" (required), "auto" (if offered), "off"
    tls: str


def parse_smtp_url(url: str) -> SmtpTarget:
    """`smtp://user:pass@host:587` (STARTTLS required on 587, used when offered elsewhere),
    `smtps://user:pass@host:465` (implicit TLS), `smtp://host:1025?starttls=off` (plain, local).
    `?starttls=require|auto|off` overrides the default."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("ORDERHUB_SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError as exc:
        raise ValueError("ORDERHUB_SMTP_URL has a bad port") from exc
    if parts.scheme == "smtps":
        tls = "implicit"
    else:
        option = (parse_qs(parts.query).get("starttls") or [""])[0].lower()
        if option and option not in ("require", "auto", "off"):
            raise ValueError("ORDERHUB_SMTP_URL starttls= must be require, auto or off")
        tls = {"require": "starttls", "auto": "auto", "off": "off"}.get(option) or ("starttls" if port == 587 else "auto")
    return SmtpTarget(parts.hostname, port, unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None, tls)
