"""Pure decisions about an order's payment: its states and the moves between them, reading the
storefront's `payment` object and `PUT .../payment` body, refund arithmetic, the event a move
announces, and what the shopper is told (a key the pages word). No I/O, no clock: `now` is a
parameter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from orderhub.db.validation import Reader, is_digits

# --- states ------------------------------------------------------------------------------------

PENDING, AUTHORIZED, PAID = "pending", "authorized", "paid"
PARTIALLY_REFUNDED, REFUNDED, VOIDED = "partially_refunded", "refunded", "voided"
STATUSES = (PENDING, AUTHORIZED, PAID, PARTIALLY_REFUNDED, REFUNDED, VOIDED)
#: money was received (a receipt may exist for it)
RECEIVED = frozenset({PAID, PARTIALLY_REFUNDED, REFUNDED})
#: money not yet taken
OPEN = frozenset({PENDING, AUTHORIZED})

#: status -> the statuses it may move to (the same status is a repeat, always allowed)
MOVES: dict[str, frozenset[str]] = {
    PENDING: frozenset({AUTHORIZED, PAID, VOIDED}),
    AUTHORIZED: frozenset({PAID, VOIDED}),
    PAID: frozenset({PARTIALLY_REFUNDED, REFUNDED}),
    PARTIALLY_REFUNDED: frozenset({REFUNDED}),
    REFUNDED: frozenset(),
    VOIDED: frozenset(),
}

# --- methods -----------------------------------------------------------------------------------

CARD, KONBINI, BANK_TRANSFER, COD = "card", "konbini", "bank_transfer", "cod"
#: the contract's methods first; `cash_on_delivery` is the older spelling of `cod`
METHODS = (CARD, KONBINI, BANK_TRANSFER, COD, "cash_on_delivery", "paypay", "paypal", "gift_card", "other")
#: paid later, somewhere else, by a deadline, with a payment number (払込票番号 / 振込先)
PAY_LATER = frozenset({KONBINI, BANK_TRANSFER})


def is_cod(method: str) -> bool:
    return method in (COD, "cash_on_delivery")


# --- refusals: stable codes --------------------------------------------------------------------

BAD_MOVE = "payment.bad_move"
REFUND_TOO_LARGE = "payment.refund_too_large"
REFUND_NOT_POSITIVE = "payment.refund_not_positive"
UNKNOWN_FIELD = "payment.unknown_field"
PAID_AT_ONLY_WHEN_PAID = "payment.paid_at_only_when_paid"
REFUND_NOT_LATEST = "payment.refund_not_latest"
#: a refund taken back (PaymentRefund.source of the reversal row, and the event announcing it)
REVERSAL = "reversal"
REFUND_REVERSED_EVENT = "payment.refund_reversed"

UPDATE_FIELDS = ("status", "paid_at", "deadline", "reference")
MAX_REFERENCE = 64


def can_move(current: str, target: str) -> bool:
    return target == current or target in MOVES.get(current, frozenset())


@dataclass(frozen=True)
class PaymentUpdate:
    """A checked `PUT .../payment` body (None: not given, keep what is stored)."""

    status: str
    paid_at: dt.datetime | None
    deadline: dt.datetime | None
    reference: str | None


def read_update(body: Any) -> tuple[PaymentUpdate | None, list[dict[str, Any]]]:
    """`{"status", "paid_at"?, "deadline"?, "reference"?}` -> (update, errors as the API answers them)."""
    r = Reader()
    data = r.obj(body, "body")
    if data is None:
        return None, r.errors
    for key in data:
        if key not in UPDATE_FIELDS:
            r.error(str(key)[:60], UNKNOWN_FIELD, "is not a field of a payment update (status, paid_at, deadline, reference)")
    status = r.choice(data, "status", "status", STATUSES)
    paid_at = r.timestamp(data, "paid_at", "paid_at", required=False)
    deadline = r.timestamp(data, "deadline", "deadline", required=False)
    reference = r.text(data, "reference", "reference", required=False, max_len=MAX_REFERENCE) if "reference" in data else None
    if paid_at is not None and status in OPEN | {VOIDED}:
        r.error("paid_at", PAID_AT_ONLY_WHEN_PAID, "only goes with a status in which the money was received")
    if r.errors:
        return None, r.errors
    return PaymentUpdate(status, paid_at, deadline, reference), []


def read_order_payment(r: Reader, pay: dict[str, Any]) -> dict[str, Any]:
    """The order body's `payment` object: method, brand, last4, and the payment's state (`status`,
    default paid, as before the state existed), `paid_at`, `deadline`, `reference`."""
    last4 = pay.get("last4")
    if last4 is not None and not (isinstance(last4, str) and len(last4) == 4 and is_digits(last4)):
        r.error("payment.last4", "must be the last four digits, as a string")
        last4 = None
    status = r.choice(pay, "status", "payment.status", STATUSES, default=PAID)
    paid_at = r.timestamp(pay, "paid_at", "payment.paid_at", required=False)
    if paid_at is not None and status not in RECEIVED:
        r.error("payment.paid_at", PAID_AT_ONLY_WHEN_PAID, "only goes with a status in which the money was received")
    return {
        "method": r.choice(pay, "method", "payment.method", METHODS, default=CARD),
        "brand": r.text(pay, "brand", "payment.brand", required=False, max_len=32).lower(),
        "last4": last4,
        "reference": r.text(pay, "reference", "payment.reference", required=False, max_len=MAX_REFERENCE),
        "status": status or PAID,
        "paid_at": paid_at,
        "deadline": r.timestamp(pay, "deadline", "payment.deadline", required=False),
    }


def initial_paid_at(status: str, paid_at: dt.datetime | None, placed_at: dt.datetime) -> dt.datetime | None:
    """When a new order's money arrived: as given, else at the order for one paid already (a card
    order from an old body), else not yet."""
    return paid_at or (placed_at if status in RECEIVED else None)


@dataclass(frozen=True)
class Move:
    """What a payment update changes: the new column values (empty: a repeat) and the event."""

    values: dict[str, Any]
    event: str | None


def plan_move(current: dict[str, Any], update: PaymentUpdate, now: dt.datetime) -> Move:
    """From the stored state (`status`, `paid_at`, `deadline`, `reference`, `method`) to the update's.
    Raises ValueError(BAD_MOVE) for a move the states do not allow. Repeating the same update -> no
    values, no event."""
    status = current["status"]
    if not can_move(status, update.status):
        raise ValueError(BAD_MOVE)
    values: dict[str, Any] = {}
    if update.status != status:
        values["status"] = update.status
    if update.status in RECEIVED and current.get("paid_at") is None:
        values["paid_at"] = update.paid_at or now
    elif update.paid_at is not None and update.paid_at != current.get("paid_at"):
        values["paid_at"] = update.paid_at
    if update.deadline is not None and update.deadline != current.get("deadline"):
        values["deadline"] = update.deadline
    if update.reference is not None and update.reference != (current.get("reference") or ""):
        values["reference"] = update.reference
    event = event_for(status, update.status, current.get("method") or CARD) if "status" in values else None
    return Move(values, event)


def event_for(previous: str, status: str, method: str) -> str:
    """The event a move announces (webhooks, and the shopper's email when it has one): a konbini or
    bank payment arriving is `payment.received` (the "payment received" email); every other move is
    `payment.<status>` (webhooks only)."""
    if status == PAID and previous in OPEN and method in PAY_LATER:
        return "payment.received"
    return f"payment.{status}"


def refund_status(status: str, total_minor: int, refunded_minor: int, paid_in_minor: int = 0) -> str:
    """The status after refunds adding up to `refunded_minor`: money never taken is voided once the
    whole order is refunded; money taken is partially or wholly refunded (wholly: everything charged,
    `paid_in_minor` included, went back)."""
    whole = refunded_minor >= charged(total_minor, paid_in_minor)
    if status in OPEN:
        return VOIDED if whole else status
    if status in RECEIVED:
        return REFUNDED if whole else PARTIALLY_REFUNDED
    return status


def charged(total_minor: int, paid_in_minor: int = 0) -> int:
    """What the shopper paid on an order: its total plus money paid in afterwards (an exchange's
    difference collected by the storefront: orders.paid_in_minor)."""
    return total_minor + max(0, paid_in_minor)


def refund_left(total_minor: int, refunded_minor: int, paid_in_minor: int = 0) -> int:
    """What can still be refunded on an order: what was charged (the total, plus a paid exchange
    difference) minus every refund so far (a cancellation's, a return's, a claim's, the storefront's, a
    refunded exchange difference). The one cap every refund is held to."""
    return max(0, charged(total_minor, paid_in_minor) - refunded_minor)


def capped_refund(amount_minor: int, total_minor: int, refunded_minor: int, paid_in_minor: int = 0) -> int:
    """The part of a wanted refund that may still be given back (0 when nothing is left)."""
    return max(0, min(amount_minor, refund_left(total_minor, refunded_minor, paid_in_minor)))


def status_after_reversal(current: str, status_before: str) -> str:
    """The payment's status once its latest refund is taken back: what it was before that refund
    (a known status; else the current one, untouched)."""
    return status_before if status_before in STATUSES else current


def check_refund(amount_minor: int, total_minor: int, refunded_minor: int, paid_in_minor: int = 0) -> str | None:
    """A refund's amount: positive and at most what is left to refund (-> a refusal code, or None)."""
    if amount_minor <= 0:
        return REFUND_NOT_POSITIVE
    if amount_minor > refund_left(total_minor, refunded_minor, paid_in_minor):
        return REFUND_TOO_LARGE
    return None


# --- what the shopper sees ---------------------------------------------------------------------

AWAITING, AWAITING_LATE, ON_DELIVERY = "awaiting", "awaiting_late", "on_delivery"


def shopper_state(status: str, method: str, deadline: dt.datetime | None, now: dt.datetime) -> str:
    """One key for the hub's payment card: `awaiting` (pay by the deadline with the payment
    number), `awaiting_late` (the deadline passed), `on_delivery` (COD: pay the driver), or the status
    itself (authorized, paid, partially_refunded, refunded, voided)."""
    if status == PENDING:
        if is_cod(method):
            return ON_DELIVERY
        if deadline is not None and now >= deadline:
            return AWAITING_LATE
        return AWAITING
    return status


def as_json(payment: dict[str, Any], status: str, paid_at: dt.datetime | None, deadline: dt.datetime | None,
            refunded: str) -> dict[str, Any]:
    """The order's `payment` object as the API answers it (money as the contract's decimal string)."""
    return {
        "status": status, "method": payment.get("method") or CARD, "brand": payment.get("brand") or None,
        "last4": payment.get("last4") or None, "reference": payment.get("reference") or None,
        "paid_at": paid_at.isoformat() if paid_at else None, "deadline": deadline.isoformat() if deadline else None,
        "refunded": refunded,
    }


def processing_from(placed_at: dt.datetime, method: str, status: str, paid_at: dt.datetime | None,
                    now: dt.datetime) -> dt.datetime:
    """When the merchant starts preparing an order: at once for card, cash on delivery and the like;
    a konbini or bank transfer payment only once the money arrives (`paid_at`), so while it is still
    pending the delivery promise counts from now (it says what paying now brings) and the order is
    never "late" or "delayed"."""
    if method in PAY_LATER:
        if status == PENDING:
            return max(placed_at, now)
        if paid_at is not None and paid_at > placed_at:
            return paid_at
    return placed_at


def awaiting_payment(method: str, status: str) -> bool:
    """A konbini or bank transfer payment not made yet: nothing is prepared or shipped until it is."""
    return method in PAY_LATER and status == PENDING
