"""Pure decisions about returns and claims: eligibility per line, the state machine, what each
state allows and shows, fees, the exact refund breakdown in the currency's minor units, the
refusal codes, and the claim and replacement vocabularies. No I/O; `now` is always a parameter.

Pages and services ask these functions (mostly through the view objects of `queries` and
`claims`); nothing outside this module lists or compares state names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from orderhub import money
from orderhub.db.keys import scoped
from orderhub.db.merchants.rules import COUNTER_REFUNDS, REASONS, RETURN_METHODS
from orderhub.db.orders import rules as order_rules
from orderhub.db.payments import rules as payment_rules
from orderhub.db.pickup import rules as pickup_rules
from orderhub.db.returns import label_rules
from orderhub.db.shipping import rules as shipping_rules
from orderhub.db.validation import AreaErrors

REFUND, STORE_CREDIT, EXCHANGE = "refund", "store_credit", "exchange"
RESOLUTIONS = (REFUND, STORE_CREDIT, EXCHANGE)
METHODS = RETURN_METHODS  # drop_off, in_store, mail, home_pickup
DROP_OFF, IN_STORE, MAIL, HOME_PICKUP = METHODS
#: the method stored when the shopper keeps the item (nothing is sent back)
KEEP = "keep"
#: methods whose parcel is handed over at a counter, identified by the return's QR code
COUNTER_METHODS = (DROP_OFF, IN_STORE)
#: reasons that are the merchant's fault: no return fee (policy "waive_fee_for_merchant_fault", on by
#: default), and shipping comes back when the whole order does
MERCHANT_FAULT = ("damaged", "wrong_item", "missing", "defective")
MAX_COMMENT = 1000

# -- the state machine -------------------------------------------------------------------------

REQUESTED, APPROVED, IN_TRANSIT, RECEIVED = "requested", "approved", "in_transit", "received"
REFUNDED, EXCHANGED, CLOSED = "refunded", "exchanged", "closed"
REJECTED, CANCELLED, EXPIRED = "rejected", "cancelled", "expired"

#: the state machine: state -> {action: next state}
TRANSITIONS: dict[str, dict[str, str]] = {
    REQUESTED: {"approve": APPROVED, "reject": REJECTED, "cancel": CANCELLED},
    APPROVED: {"ship": IN_TRANSIT, "receive": RECEIVED, "cancel": CANCELLED, "expire": EXPIRED,
               "refund": REFUNDED},
    IN_TRANSIT: {"receive": RECEIVED},
    RECEIVED: {"refund": REFUNDED, "exchange": EXCHANGED, "close": CLOSED},
}
FINAL = (REFUNDED, EXCHANGED, CLOSED, REJECTED, CANCELLED, EXPIRED)
STATUSES = (REQUESTED, APPROVED, IN_TRANSIT, RECEIVED, *FINAL)
#: the state each action leads to (whatever the state before): the same call twice changes nothing
ACTION_RESULT = {"approve": APPROVED, "reject": REJECTED, "receive": RECEIVED, "refund": REFUNDED,
                 "exchange": EXCHANGED, "close": CLOSED, "ship": IN_TRANSIT, "cancel": CANCELLED,
                 "expire": EXPIRED}
#: exits before anything was received: the lines' counters and held stock are given back
WITHDRAWN = (REJECTED, CANCELLED, EXPIRED)
#: a returned item's reception and acceptance once the parcel arrived
ITEM_RECEIVED, ITEM_ACCEPTED = "received", "accepted"
#: the order's fulfilment status once everything returnable came back (the orders area's word)
ORDER_RETURNED = "returned"

class IllegalTransition(Exception):
    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"a return that is {status} cannot be moved by {action}")
        self.status, self.action = status, action


def next_status(status: str, action: str, *, keep_item: bool = False, resolution: str | None = None) -> str:
    """The state after `action`; refund straight from approved only when nothing is sent back; an
    exchange is completed by `exchange`, a refund or store credit by `refund` (when the resolution
    is given); nothing to ship back for a kept item."""
    target = TRANSITIONS.get(status, {}).get(action)
    if target is None or (status == APPROVED and action == "refund" and not keep_item):
        raise IllegalTransition(status, action)
    if keep_item and action in ("ship", "expire"):
        raise IllegalTransition(status, action)
    if resolution is not None and ((action == "exchange") != (resolution == EXCHANGE)) and \
            action in ("exchange", "refund"):
        raise IllegalTransition(status, action)
    return target


def result_of(action: str) -> str:
    """The state an action leads to."""
    return ACTION_RESULT[action]


def already_done(status: str, action: str) -> bool:
    """The return already is where `action` leads (a repeated call changes nothing)."""
    return ACTION_RESULT.get(action) == status


def withdrawn(status: str) -> bool:
    """Rejected, cancelled or expired: the units were never received and are free again."""
    return status in WITHDRAWN


#: days an approved return may wait for the item to be sent before it expires (policy "return_ship_within_days")
SHIP_WITHIN_DAYS = 14


def ship_within_days(policy: dict[str, Any]) -> int:
    value = (policy or {}).get("return_ship_within_days")
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 365 else SHIP_WITHIN_DAYS


def send_by(status: str, keep_item: bool, approved_at: dt.datetime, policy: dict[str, Any], tz: str) -> dt.datetime | None:
    """The moment an approved return must have been sent by (it expires then): the end of the day, in
    the merchant's time zone `tz`, that is the policy's days after the approval's day; None when
    nothing has to be sent (not approved, or the shopper keeps the item)."""
    if status != APPROVED or keep_item:
        return None
    zone = ZoneInfo(tz)
    last_day = approved_at.astimezone(zone).date() + dt.timedelta(days=ship_within_days(policy))
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def send_by_day(deadline: dt.datetime, tz: str) -> dt.date:
    """The last day to send on, as the shopper reads it ("send by 20 December"): the deadline's eve."""
    return (deadline.astimezone(ZoneInfo(tz)) - dt.timedelta(microseconds=1)).date()


def expired(status: str, keep_item: bool, approved_at: dt.datetime, now: dt.datetime, policy: dict[str, Any],
            tz: str) -> bool:
    """An approved return whose item was never sent within the policy's days."""
    deadline = send_by(status, keep_item, approved_at, policy, tz)
    return deadline is not None and now >= deadline


# -- eligibility -------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineFacts:
    line_id: str
    title: str
    quantity: int
    unit_price_minor: int
    discount_minor: int
    tax_rate: Decimal
    final_sale: bool = False
    requested_quantity: int = 0
    delivered_at: dt.datetime | None = None
    #: units delivered or handed over (shipped lines, or every unit of a picked-up order)
    fulfilled_quantity: int = 0
    variant: str = ""
    product_id: str = ""
    image_url: str = ""


#: why nothing (or less) of a line can be asked back
FINAL_SALE, NOT_DELIVERED, WINDOW_CLOSED, ALL_RETURNED = "final_sale", "not_delivered", "window_closed", "all_returned"


@dataclass(frozen=True)
class Eligibility:
    returnable: int
    #: why nothing (or less) can be returned: final_sale, not_delivered, window_closed, all_returned, or ""
    reason: str
    deadline: dt.date | None


def whole_line_handed_over(line: LineFacts, fulfillment_type: str) -> bool:
    """Every unit of the line was handed over at a pickup: the line's quantity (not the shipping
    counter) limits what can be asked back."""
    return fulfillment_type == "pickup" and line.fulfilled_quantity >= line.quantity


def claimable_units(line: LineFacts) -> int:
    """Delivered units not asked back yet (by a return or another claim)."""
    return max(0, line.fulfilled_quantity - line.requested_quantity)


def fulfilled_units(quantity: int, fulfilled_quantity: int, *, fulfillment_type: str, fulfillment_status: str) -> int:
    """What was actually handed over: the line's fulfilled counter (kept by shipping), or every unit of
    a pickup order once it was picked up (collecting the order hands over all of it)."""
    if fulfillment_type == "pickup" and fulfillment_status in ("picked_up", "returned"):
        return quantity
    return max(0, min(quantity, fulfilled_quantity))


def window_start(delivered_at: dt.datetime | None, promised_date: dt.date | None, timezone: str) -> dt.date | None:
    if delivered_at is not None:
        return delivered_at.astimezone(ZoneInfo(timezone)).date()
    return promised_date


def eligibility(line: LineFacts, *, policy: dict[str, Any], tags: list[str], promised_date: dt.date | None,
                now: dt.datetime, timezone: str = "UTC") -> Eligibility:
    """How many units of a line can still be asked back (delivered minus already requested), and
    until when (the deadline is the last day, inclusive, in the merchant's time zone)."""
    start = window_start(line.delivered_at, promised_date, timezone)
    deadline = start + dt.timedelta(days=order_rules.return_window_days(policy, tags)) if start else None
    if line.final_sale:
        return Eligibility(0, FINAL_SALE, deadline)
    if start is None or deadline is None:
        return Eligibility(0, NOT_DELIVERED, None)
    today = now.astimezone(ZoneInfo(timezone)).date()
    if today < start:
        return Eligibility(0, NOT_DELIVERED, deadline)
    if today > deadline:
        return Eligibility(0, WINDOW_CLOSED, deadline)
    fulfilled = max(0, min(line.quantity, line.fulfilled_quantity))
    if fulfilled == 0 and line.requested_quantity == 0:
        return Eligibility(0, NOT_DELIVERED, deadline)
    # only what was delivered can come back, minus what was already asked back
    left = max(0, fulfilled - line.requested_quantity)
    return Eligibility(left, "" if left else ALL_RETURNED, deadline)


def photo_required(policy: dict[str, Any], reason: str) -> bool:
    return reason in (policy.get("photo_required_reasons") or [])


def merchant_fault(reason: str) -> bool:
    return reason in MERCHANT_FAULT


def fee_waived_for(policy: dict[str, Any], reason: str) -> bool:
    """The merchant's fault costs the shopper nothing (unless the merchant turned the waiver off)."""
    return merchant_fault(reason) and (policy or {}).get("waive_fee_for_merchant_fault", True) is not False


def fee_minor(policy: dict[str, Any], method: str, resolution: str, currency: str, reason: str = "") -> int:
    """The return fee for a method: waived for free methods, for store credit, for exchanges and
    for a reason that is the merchant's fault (`fee_waived_for`). The one fee rule: the wizard's
    method step and the refund breakdown (preview, stored return, email, PDF, API) both ask it."""
    if (resolution in ("store_credit", "exchange") or method in (policy.get("free_return_methods") or [])
            or fee_waived_for(policy, reason)):
        return 0
    raw = (policy.get("return_fee") or {}).get(method)
    return money.parse(raw, currency) if raw else 0


def method_fees(policy: dict[str, Any], *, resolution: str, reason: str, currency: str) -> dict[str, int]:
    """The fee of every return method for this return (what the wizard's method step shows)."""
    return {m: fee_minor(policy, m, resolution, currency, reason) for m in METHODS}


def label_cost(policy: dict[str, Any], method: str, resolution: str, currency: str, reason: str = "", *,
               offers_labels: bool) -> int:
    """What the prepaid return label costs the shopper (label_rules.label_cost_minor): only when the
    merchant makes labels (`offers_labels`: a label provider is set, `OrderFacts.offers_labels`), waived
    whenever the fee is. The wizard's method step (`method_label_costs`) and `refund_breakdown` ask it."""
    waived = resolution in ("store_credit", "exchange") or fee_waived_for(policy, reason)
    return label_rules.label_cost_minor(policy, method, currency, waived=waived, offers_labels=offers_labels)


def method_label_costs(policy: dict[str, Any], *, resolution: str, reason: str, currency: str,
                       offers_labels: bool) -> dict[str, int]:
    return {m: label_cost(policy, m, resolution, currency, reason, offers_labels=offers_labels) for m in METHODS}


@dataclass(frozen=True)
class ExchangeOption:
    """A variant the shopper may exchange for."""

    sku: str
    option: str


def exchange_options(product_variants: list[dict[str, Any]], current_sku: str, unit_price_minor: int,
                     currency: str) -> list[ExchangeOption]:
    """Other in-stock variants of the same product at the same price."""
    out = []
    for v in product_variants:
        if v.get("sku") == current_sku or not v.get("in_stock", True):
            continue
        try:
            price = money.parse(v.get("price", ""), currency)
        except money.MoneyError:
            continue
        if price == unit_price_minor:
            out.append(ExchangeOption(v["sku"], v.get("option", "")))
    return out


# -- money -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderMoney:
    currency: str
    prices_include_tax: bool
    lines: list[LineFacts]
    #: the order-level discount (the order's discount minus the lines' own discounts)
    order_discount_minor: int
    shipping_minor: int
    shipping_tax_rate: Decimal
    total_minor: int
    #: money paid in after the order (a paid exchange difference): refundable too
    paid_in_minor: int = 0

    @classmethod
    def of_order(cls, order: Mapping[str, Any], lines: list[LineFacts]) -> OrderMoney:
        """The money of an order's row (`orders` columns) with its lines' facts: the order-level
        discount is what the order's discount leaves after the lines' own."""
        return cls(
            currency=order["currency"], prices_include_tax=bool(order["prices_include_tax"]), lines=lines,
            order_discount_minor=max(0, order["discount_minor"] - sum(ln.discount_minor for ln in lines)),
            shipping_minor=order["shipping_minor"], shipping_tax_rate=Decimal(order["shipping_tax_rate"]),
            total_minor=order["total_minor"], paid_in_minor=int(order.get("paid_in_minor") or 0))


@dataclass(frozen=True)
class Part:
    kind: str  # items, tax, shipping, fee, bonus, cap
    amount_minor: int


@dataclass(frozen=True)
class ItemAmount:
    line_id: str
    quantity: int
    amount_minor: int  # goods, net of discounts (tax included when prices include tax)
    tax_minor: int  # the tax in (inclusive) or on top of (exclusive) amount_minor
    tax_rate: Decimal


@dataclass(frozen=True)
class Breakdown:
    currency: str
    items: list[ItemAmount]
    parts: list[Part]
    keep_item: bool
    #: money back to the payment (or store credit, bonus included)
    total_minor: int
    #: {rate: (amount, tax)} of goods and shipping refunded, for credit notes
    by_rate: dict[Decimal, tuple[int, int]] = field(default_factory=dict)

    def part(self, kind: str) -> int:
        return sum(p.amount_minor for p in self.parts if p.kind == kind)


def _cumulative(total: int, n: int, q: int) -> int:
    """The share of `total` for the first n of q units (floor; the last unit takes the remainder)."""
    return total if n >= q else total * n // q


def _tax(amount: int, rate: Decimal, inclusive: bool) -> int:
    if inclusive:
        return money.round_minor(Decimal(amount) * rate / (1 + rate))
    return money.round_minor(Decimal(amount) * rate)


def order_taxes(order: OrderMoney, nets: list[int]) -> tuple[list[int], int]:
    """The order's tax per rate (rounded once per rate, as the order was charged), shared out over
    its lines and shipping by value: each line's tax, and the shipping's. They add up exactly."""
    keys = [ln.tax_rate for ln in order.lines]
    values = list(nets)
    if order.shipping_minor:
        keys.append(order.shipping_tax_rate)
        values.append(order.shipping_minor)
    per_rate = order_rules.tax_by_rate(
        [order_rules.TaxLine(v, r) for v, r in zip(values, keys, strict=False)], order.prices_include_tax)
    taxes = [0] * len(values)
    for rate, (_, tax) in per_rate.items():
        idx = [i for i, r in enumerate(keys) if r == rate]
        for i, share in zip(idx, money.prorate(tax, [values[i] for i in idx]), strict=False):
            taxes[i] = share
    ship = taxes.pop() if order.shipping_minor else 0
    return taxes, ship


def refund_breakdown(order: OrderMoney, items: dict[str, int], *, reason: str, resolution: str, method: str,
                     policy: dict[str, Any], already_refunded_minor: int = 0, shipping_already_refunded: bool = False,
                     previously_returned: dict[str, int] | None = None, offers_labels: bool = False) -> Breakdown:
    """Exact refund for returning `items` ({line_id: units}). Units already returned before
    (`previously_returned`, defaults to the lines' requested counters) count first, so that many
    small returns of a line add up to exactly one return of all of it. A label is charged only when the
    merchant makes labels (`offers_labels`, `OrderFacts.offers_labels`; never by default)."""
    prev = previously_returned if previously_returned is not None else {
        ln.line_id: ln.requested_quantity for ln in order.lines}
    dicts = [{"quantity": ln.quantity, "unit_price_minor": ln.unit_price_minor, "discount_minor": ln.discount_minor}
             for ln in order.lines]
    nets = order_rules.line_net_amounts(dicts, order.order_discount_minor)
    inclusive = order.prices_include_tax
    line_taxes, ship_tax = order_taxes(order, nets)
    amounts: list[ItemAmount] = []
    for ln, net, line_tax in zip(order.lines, nets, line_taxes, strict=False):
        k = items.get(ln.line_id, 0)
        if k <= 0:
            continue
        r = prev.get(ln.line_id, 0)
        goods = _cumulative(net, r + k, ln.quantity) - _cumulative(net, r, ln.quantity)
        tax = _cumulative(line_tax, r + k, ln.quantity) - _cumulative(line_tax, r, ln.quantity)
        amounts.append(ItemAmount(ln.line_id, k, goods, tax, ln.tax_rate))

    goods_total = sum(a.amount_minor for a in amounts)
    tax_total = sum(a.tax_minor for a in amounts)
    parts = [Part("items", goods_total)]
    if not inclusive:
        parts.append(Part("tax", tax_total))
    by_rate: dict[Decimal, list[int]] = {}
    for a in amounts:
        slot = by_rate.setdefault(a.tax_rate, [0, 0])
        slot[0] += a.amount_minor
        slot[1] += a.tax_minor

    whole_order = all(prev.get(ln.line_id, 0) + items.get(ln.line_id, 0) >= ln.quantity for ln in order.lines)
    if (whole_order and merchant_fault(reason) and not shipping_already_refunded and order.shipping_minor
            and resolution != "exchange"):
        parts.append(Part("shipping", order.shipping_minor + (0 if inclusive else ship_tax)))
        slot = by_rate.setdefault(order.shipping_tax_rate, [0, 0])
        slot[0] += order.shipping_minor
        slot[1] += ship_tax

    value = sum(p.amount_minor for p in parts)
    threshold = money.parse(policy.get("keep_item_under") or "0", order.currency)
    keep_item = resolution != "exchange" and 0 < value < threshold
    if resolution == "exchange":
        # same product at the same price: nothing changes hands
        parts = [Part("items", goods_total), Part("exchange", -goods_total)]
        if not inclusive:
            parts.insert(1, Part("tax", tax_total))
            parts[-1] = Part("exchange", -(goods_total + tax_total))
    else:
        fee = 0 if keep_item else fee_minor(policy, method, resolution, order.currency, reason)
        if fee:
            parts.append(Part("fee", -min(fee, value)))
        label = 0 if keep_item else label_cost(policy, method, resolution, order.currency, reason,
                                                 offers_labels=offers_labels)
        charged = min(label, max(0, value - min(fee, value)))
        if charged:
            parts.append(Part("label", -charged))
    money_back = sum(p.amount_minor for p in parts)
    cap = payment_rules.refund_left(order.total_minor, already_refunded_minor, order.paid_in_minor)
    if money_back > cap:
        parts.append(Part("cap", cap - money_back))
        money_back = cap
    if resolution == "store_credit":
        pct = int(policy.get("store_credit_bonus_percent") or 0)
        bonus = money_back * pct // 100
        if bonus:
            parts.append(Part("bonus", bonus))
    total = sum(p.amount_minor for p in parts)
    return Breakdown(order.currency, amounts, parts, keep_item, total,
                     {rate: (v[0], v[1]) for rate, v in sorted(by_rate.items(), reverse=True)})


def breakdown_json(b: Breakdown) -> dict[str, Any]:
    return {
        "currency": b.currency,
        "items": [{"line_id": a.line_id, "quantity": a.quantity, "amount_minor": a.amount_minor,
                   "tax_minor": a.tax_minor, "tax_rate": str(a.tax_rate)} for a in b.items],
        "parts": [{"kind": p.kind, "amount_minor": p.amount_minor} for p in b.parts],
        "keep_item": b.keep_item,
        "total_minor": b.total_minor,
        "by_rate": [{"rate": str(r), "amount_minor": a, "tax_minor": t} for r, (a, t) in b.by_rate.items()],
    }


def auto_approve(reason: str, total_minor: int, policy: dict[str, Any], currency: str) -> bool:
    """Approve without review unless the merchant asks to review the reason or the value is high."""
    review = policy.get("review_reasons", ["other"])
    limit = policy.get("auto_approve_under")
    if reason in review:
        return False
    if limit is not None and total_minor >= money.parse(limit, currency):
        return False
    return True


# -- refunds shown on the order page -------------------------------------------------------------

#: where refunded money goes
TO_PAYMENT, TO_STORE_CREDIT = "original_payment", "store_credit"
REFUND_METHODS = (TO_PAYMENT, TO_STORE_CREDIT)


@dataclass(frozen=True)
class Refund:
    """Money given back on an order: by a refunded return or a claim resolved with a refund."""

    number: str  # the return's or claim's number
    amount_minor: int
    currency: str
    method: str  # TO_PAYMENT | TO_STORE_CREDIT
    at: dt.datetime


def refund_method(resolution: str) -> str:
    return TO_STORE_CREDIT if resolution == STORE_CREDIT else TO_PAYMENT


def return_refund(number: str, status: str, resolution: str, total_minor: int, currency: str,
                  refunded_at: dt.datetime | None) -> Refund | None:
    """A return's refund, once the return is refunded (None before, and for nothing to give back)."""
    if status != REFUNDED or total_minor <= 0 or refunded_at is None:
        return None
    return Refund(number, total_minor, currency, refund_method(resolution), refunded_at)


def claim_refund(number: str, status: str, resolution: str, refunded_minor: int, currency: str,
                 resolved_at: dt.datetime | None) -> Refund | None:
    if not claim_resolved(status) or not claim_refunds(resolution) or refunded_minor <= 0 or resolved_at is None:
        return None
    return Refund(number, refunded_minor, currency, TO_PAYMENT, resolved_at)


def returns_section_open(order: Any) -> bool:
    """The hub shows its Returns section once something left the warehouse and the order stands."""
    return not order.cancelled and order.fulfillment_status not in ("unfulfilled", "processing", "cancelled")


# -- what a return's state allows and shows (asked through ReturnView) -------------------------

#: the badge tone of each state (the page words it; the tone says how it feels)
TONES = {REFUNDED: "good", EXCHANGED: "good", APPROVED: "info", IN_TRANSIT: "info", RECEIVED: "info",
         REQUESTED: "warn", REJECTED: "bad", CANCELLED: "muted", EXPIRED: "muted", CLOSED: "muted"}
#: states in which the item is still to come back: the page shows how to send it
OPEN_STATES = (REQUESTED, APPROVED, IN_TRANSIT)
#: states in which a mail return's printable slip is offered
SLIP_STATES = (APPROVED, IN_TRANSIT)


def status_tone(status: str) -> str:
    return TONES.get(status, "muted")


def can_cancel(status: str) -> bool:
    """The shopper may still cancel (nothing was sent or received yet)."""
    return "cancel" in TRANSITIONS.get(status, {})


def shopper_can_mark_sent(status: str, method: str, keep_item: bool) -> bool:
    """The shopper may say the parcel is on its way (-> in transit): an approved return sent by post or
    picked up by a carrier; a counter's scan moves drop-off and in-store returns instead."""
    return status == APPROVED and not keep_item and method not in COUNTER_METHODS


def shows_instructions(status: str) -> bool:
    """The item is still to come back: how to send it (method, QR or slip) is shown."""
    return status in OPEN_STATES


def at_counter(method: str) -> bool:
    """Handed over at a drop-off point or a store counter: the page shows the QR code and the code
    the counter scans or types (`services.ship_by_code`)."""
    return method in COUNTER_METHODS


def by_mail(method: str) -> bool:
    return method == MAIL


def by_home_pickup(method: str) -> bool:
    return method == HOME_PICKUP


#: what a return's QR code starts with (a pickup's starts with pickup.rules.QR_PREFIX)
QR_PREFIX = "RMA:"


def qr_payload(number: str, code: str) -> str:
    """What the return's QR code says: "RMA:<number>:<code>" (the counter scans it)."""
    return f"{QR_PREFIX}{number}:{code}"


def counter_code(scanned: str) -> str:
    """The code typed at a counter, or the whole QR payload scanned: -> the code alone."""
    code = (scanned or "").strip().upper()
    if code.startswith(QR_PREFIX):
        code = code.rsplit(":", 1)[-1]
    return code


def slip_available(status: str, method: str) -> bool:
    """The printable return slip (PDF) of a mail return, while the parcel is to be or being sent."""
    return method == MAIL and status in SLIP_STATES


def credit_note_available(status: str) -> bool:
    """A credit note exists once the money went back."""
    return status == REFUNDED


def shows_rejection(status: str) -> bool:
    """The merchant's note is the reason of a rejection."""
    return status == REJECTED


def is_store_credit(resolution: str) -> bool:
    return resolution == STORE_CREDIT


def is_exchange(resolution: str) -> bool:
    return resolution == EXCHANGE


def needs_store(method: str) -> bool:
    """The shopper picks the store the item goes back to."""
    return method == IN_STORE


def status_message(status: str, resolution: str) -> str:
    """Which sentence explains the state to the shopper (a key the page words): a refund and a
    store credit read differently."""
    if status == REFUNDED and resolution == STORE_CREDIT:
        return "refunded_store_credit"
    return status


def timeline_path(status: str, resolution: str, keep_item: bool, reached: list[str]) -> list[str]:
    """The steps the shopper's timeline shows: the road ahead for this resolution, or only what
    happened once the return left it (rejected, cancelled, expired, closed)."""
    if status in (REJECTED, CANCELLED, EXPIRED, CLOSED):
        return list(reached)
    if resolution == EXCHANGE:
        return [REQUESTED, APPROVED, IN_TRANSIT, RECEIVED, EXCHANGED]
    if keep_item:
        return [REQUESTED, APPROVED, REFUNDED]
    return [REQUESTED, APPROVED, IN_TRANSIT, RECEIVED, REFUNDED]


def step_done(step: str, reached: list[str]) -> bool:
    """A timeline step is done once reached; the way back counts as done once the item arrived
    (a parcel received at the warehouse was sent, scanned or not)."""
    return step in reached or (step == IN_TRANSIT and RECEIVED in reached)


# -- the wizard --------------------------------------------------------------------------------

STEPS = ("items", "reason", "resolution", "method", "review")
#: the answers each step asks for (error field paths by their first part)
STEP_FIELDS = {"items": ("items",), "reason": ("reason", "comment", "photo", "reasons", "comments", "photos"),
               "resolution": ("resolution",),
               "method": ("method",)}


def first_missing_step(data: Mapping[str, Any]) -> str | None:
    """The first step whose answer is missing from the draft (None when all are given)."""
    if not any((data.get("items") or {}).values()):
        return "items"
    if not reason_given(data):
        return "reason"
    for step in ("resolution", "method"):
        if not data.get(step):
            return step
    return None


def reason_given(data: Mapping[str, Any]) -> bool:
    """Every chosen item has a reason: the one for all, or each its own (reason_rules)."""
    if data.get("reason"):
        return True
    raw = data.get("reasons")
    own: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    chosen = [lid for lid, qty in (data.get("items") or {}).items() if qty]
    return bool(chosen) and all(own.get(lid) for lid in chosen)


def step_reachable(step: str, data: Mapping[str, Any]) -> str | None:
    """None when `step` may be shown for the draft, else the earlier step to go back to."""
    missing = first_missing_step(data)
    if missing and STEPS.index(missing) < STEPS.index(step):
        return missing
    return None


def offers_bonus(resolution: str, bonus_percent: int) -> bool:
    """Store credit with the merchant's bonus is worth advertising."""
    return resolution == STORE_CREDIT and bonus_percent > 0


def exchange_possible(options_by_line: Mapping[str, list[ExchangeOption]]) -> bool:
    """An exchange needs another variant for every chosen line."""
    return bool(options_by_line) and all(options_by_line.values())


@dataclass(frozen=True)
class ExchangeOffer:
    """What the resolution step offers for an exchange, from one reading of the in-stock variants
    of every chosen line: the exchange is possible exactly when each line has one, the lists shown
    are exactly those variants, and the lines without any are the ones the page names."""

    options: Mapping[str, list[ExchangeOption]]

    @property
    def possible(self) -> bool:
        return exchange_possible(self.options)

    @property
    def lists(self) -> dict[str, list[ExchangeOption]]:
        """The variants to choose from per line (none when the exchange cannot be chosen)."""
        return dict(self.options) if self.possible else {}

    @property
    def sold_out(self) -> list[str]:
        """The chosen lines with no other in-stock variant (why the exchange is not offered)."""
        return [line_id for line_id, opts in self.options.items() if not opts]


@dataclass(frozen=True)
class Choice:
    """One answer a form offers, with what the page notes beside it."""

    value: str
    #: a photo must come with this answer
    photo_needed: bool = False
    #: offered but not possible now (shown disabled)
    unavailable: bool = False
    #: the store credit bonus (percent) this answer earns
    bonus_percent: int = 0


def reason_choices(policy: dict[str, Any]) -> list[Choice]:
    return [Choice(r, photo_needed=photo_required(policy, r)) for r in REASONS]


def resolution_choices(*, can_exchange: bool, bonus_percent: int) -> list[Choice]:
    return [Choice(r, unavailable=r == EXCHANGE and not can_exchange,
                   bonus_percent=bonus_percent if offers_bonus(r, bonus_percent) else 0) for r in RESOLUTIONS]


def store_credit_bonus_percent(policy: dict[str, Any]) -> int:
    return int(policy.get("store_credit_bonus_percent") or 0)


@dataclass(frozen=True)
class LineChoice:
    """A line of the order as a return or claim form offers it: how many units can be chosen, and
    why none (an `Eligibility.reason`: final_sale, not_delivered, window_closed, all_returned)."""

    line: LineFacts
    available: int
    reason: str = ""
    deadline: dt.date | None = None


def returnable_lines(lines: list[LineFacts], *, policy: dict[str, Any], tags: list[str], promised_date: dt.date | None,
                     now: dt.datetime, timezone: str) -> list[LineChoice]:
    out = []
    for ln in lines:
        e = eligibility(ln, policy=policy, tags=tags, promised_date=promised_date, now=now, timezone=timezone)
        out.append(LineChoice(ln, e.returnable, e.reason, e.deadline))
    return out


def claimable_lines(lines: list[LineFacts]) -> list[LineChoice]:
    """Delivered units not asked back yet; nothing for a line not delivered (or all asked back)."""
    out = []
    for ln in lines:
        n = claimable_units(ln)
        reason = "" if n else (NOT_DELIVERED if not ln.fulfilled_quantity else ALL_RETURNED)
        out.append(LineChoice(ln, n, reason))
    return out


# -- refusals: stable codes; the English is what the API answers, pages word the code ---------

NOT_A_LINE = "return.not_a_line"
WHOLE_NUMBER = "return.whole_number"
TOO_MANY_UNITS = "return.too_many_units"
NO_ITEMS = "return.no_items"
REASON_REQUIRED = "return.reason_required"
TOO_LONG = "return.too_long"
PHOTO_REQUIRED = "return.photo_required"
RESOLUTION_REQUIRED = "return.resolution_required"
METHOD_REQUIRED = "return.method_required"
STORE_REQUIRED = "return.store_required"
VARIANT_REQUIRED = "exchange.variant_required"
SOLD_OUT = "exchange.sold_out"
KIND_REQUIRED = "claim.kind_required"
DESCRIPTION_REQUIRED = "claim.description_required"
TOO_MANY_PHOTOS = "claim.too_many_photos"
NOT_A_CHOICE = "return.not_a_choice"
NOT_TEXT = "return.not_text"
TEXT_TOO_LONG = "return.text_too_long"
REQUIRED = "return.required"
NOT_AN_OBJECT = "return.not_an_object"
NOT_ALLOWED = "return.not_allowed"
CHANGED = "return.changed"
OVER_RECEIVED = "return.over_received"
RETURN_NOT_FOUND = "return.not_found"
PHOTO_NOT_FOUND = "return.photo_not_found"
ORDER_NOT_FOUND = "return.order_not_found"
CLAIM_NOT_FOUND = "claim.not_found"
CLAIM_ALREADY_RESOLVED = "claim.already_resolved"
CLAIM_CHANGED = "claim.changed"
OUT_OF_STOCK = "exchange.out_of_stock"

#: what a shopper or merchant typed wrong: code -> the English message the API answers
INPUT_MESSAGES: dict[str, str] = {
    NOT_A_LINE: "is not a line of this order",
    WHOLE_NUMBER: "must be a whole number",
    TOO_MANY_UNITS: "is more than can be returned",
    NO_ITEMS: "choose at least one item",
    REASON_REQUIRED: "choose a reason",
    TOO_LONG: "is too long",
    PHOTO_REQUIRED: "a photo is required for this reason",
    RESOLUTION_REQUIRED: "choose a resolution",
    METHOD_REQUIRED: "choose how to send it back",
    STORE_REQUIRED: "choose a store",
    VARIANT_REQUIRED: "choose a variant",
    SOLD_OUT: "has just sold out",
    KIND_REQUIRED: "choose what happened",
    DESCRIPTION_REQUIRED: "describe the problem",
    TOO_MANY_PHOTOS: "at most {limit} photos",
    NOT_A_CHOICE: "must be one of {choices}",
    NOT_TEXT: "must be a string",
    TEXT_TOO_LONG: "must be at most {limit} characters",
    REQUIRED: "is required",
    NOT_AN_OBJECT: 'must be an object such as {{"note": "..."}}',
}


#: one validation error as the API answers it: {"field", "code", "message"} (English)
field_error = AreaErrors(INPUT_MESSAGES)


# -- claims (damaged, missing or wrong items; asked through ClaimView) -------------------------

CLAIM_KINDS = ("damaged", "missing", "wrong_item")
#: what happened that a photo must show
CLAIM_PHOTO_KINDS = ("damaged", "wrong_item")
CLAIM_REFUND, CLAIM_REPLACEMENT, CLAIM_BOTH = "refund", "replacement", "both"
CLAIM_RESOLUTIONS = (CLAIM_REFUND, CLAIM_REPLACEMENT, CLAIM_BOTH)
CLAIM_OPEN, CLAIM_RESOLVED = "open", "resolved"
CLAIM_STATUSES = (CLAIM_OPEN, CLAIM_RESOLVED)
MAX_DESCRIPTION = 2000
MAX_CLAIM_PHOTOS = 3


def claim_needs_photo(kind: str) -> bool:
    return kind in CLAIM_PHOTO_KINDS


def claim_kind_choices() -> list[Choice]:
    return [Choice(k, photo_needed=claim_needs_photo(k)) for k in CLAIM_KINDS]


def claim_refunds(resolution: str) -> bool:
    return resolution in (CLAIM_REFUND, CLAIM_BOTH)


def claim_replaces(resolution: str) -> bool:
    return resolution in (CLAIM_REPLACEMENT, CLAIM_BOTH)


def claim_resolved(status: str) -> bool:
    return status == CLAIM_RESOLVED


def claim_tone(status: str) -> str:
    return "good" if status == CLAIM_RESOLVED else "warn"


def claim_message(status: str, resolution: str) -> str:
    """Which sentence explains the claim to the shopper: "open", or its resolution once resolved."""
    return CLAIM_OPEN if status == CLAIM_OPEN else resolution


# -- replacements (an exchange's new variant, a claim's replacement) ---------------------------

HELD, ISSUED, RELEASED = "held", "issued", "released"
REPLACEMENT_TONES = {HELD: "info", ISSUED: "good", RELEASED: "muted"}


def replacement_tone(status: str) -> str:
    return REPLACEMENT_TONES.get(status, "muted")


def replacement_source(kind: str, source_id: int) -> str:
    """The replacement's key: one per return or claim."""
    return scoped(kind, source_id)


def replacement_shipment(shipment: dict[str, str] | None) -> dict[str, str] | None:
    """The parcel an exchange's replacement went out in, as the `return.exchanged` event carries it:
    carrier code, tracking number and the carrier's tracking page (shipping rules), or None."""
    if not shipment or not shipment.get("tracking_number"):
        return None
    carrier = shipping_rules.normalize_carrier(shipment.get("carrier") or "")
    number = shipment["tracking_number"]
    return {"carrier": carrier, "tracking_number": number,
            "tracking_url": shipping_rules.carrier_url(carrier, number) or ""}


# -- returns received at a store counter (the staff console's returns screen) --------------------

#: how the clerk grades each returned item
RESELLABLE, DAMAGED, MISSING = "resellable", "damaged", "missing"
GRADES = (RESELLABLE, DAMAGED, MISSING)
#: a graded item's reception and acceptance: a missing item was not received and is not accepted
ITEM_MISSING, ITEM_REJECTED = "missing", "rejected"
#: the merchant's setting (policy "counter_refund"): refund the moment the clerk receives, or after
#: the merchant inspected the items
REFUND_AT_DROP_OFF, REFUND_AFTER_INSPECTION = COUNTER_REFUNDS
#: states in which a counter may receive the return
COUNTER_RECEIVABLE = (APPROVED, IN_TRANSIT)
#: a counter reception can be undone this long (the same window as a pickup's hand-over)
COUNTER_UNDO_WINDOW = pickup_rules.UNDO_WINDOW
COUNTER_UNDO_MINUTES = int(COUNTER_UNDO_WINDOW.total_seconds() // 60)
#: the timeline event an undo records (the reception's own events are taken away)
RECEPTION_UNDONE = "receive_undone"
#: the news of a reception (and a counter refund) that an undo withdraws while still waiting
COUNTER_NEWS = ("return.received", "return.refunded")
COUNTER_PAYMENT_NEWS = ("payment.partially_refunded", "payment.refunded")

#: refusal codes of the counter
COUNTER_WRONG_STORE = "return.counter_wrong_store"
COUNTER_NOT_AT_COUNTER = "return.not_at_counter"
COUNTER_NOT_APPROVED = "return.counter_not_approved"
COUNTER_ALREADY_RECEIVED = "return.already_received"
COUNTER_CLOSED = "return.counter_closed"
GRADE_REQUIRED = "return.grade_required"
NOTHING_RECEIVED = "return.nothing_received"
UNDO_EXPIRED = "return.undo_expired"
INPUT_MESSAGES.update({GRADE_REQUIRED: "grade the item: one of resellable, damaged, missing",
                       NOTHING_RECEIVED: "at least one item must be there"})


def counter_refund(policy: Mapping[str, Any]) -> str:
    """The merchant's setting; after inspection unless it says otherwise."""
    value = (policy or {}).get("counter_refund")
    return value if value in COUNTER_REFUNDS else REFUND_AFTER_INSPECTION


def refunds_at_counter(policy: Mapping[str, Any], resolution: str, grades: list[str]) -> bool:
    """The refund (or store credit) goes out the moment the clerk receives: the merchant refunds at
    drop-off, the shopper asked for money or credit (an exchange is sent by the merchant), and every
    item is there (a missing one waits for the merchant's inspection)."""
    return (counter_refund(policy) == REFUND_AT_DROP_OFF and resolution in (REFUND, STORE_CREDIT)
            and bool(grades) and MISSING not in grades)


def graded_item(grade: str) -> tuple[bool, str, str]:
    """(came back, reception, acceptance) of an item graded at the counter."""
    if grade == MISSING:
        return False, ITEM_MISSING, ITEM_REJECTED
    return True, ITEM_RECEIVED, ITEM_ACCEPTED


def counter_refusal(*, status: str, method: str, store_code: str, clerk_store: str) -> str | None:
    """Why a clerk at `clerk_store` may not receive this return (a code), or None. An in-store return
    goes to the store the shopper chose; a drop-off return may be handed in at any of the merchant's
    stores; mail and home pickups never come to a counter."""
    if not at_counter(method):
        return COUNTER_NOT_AT_COUNTER
    if needs_store(method) and store_code != clerk_store:
        return COUNTER_WRONG_STORE
    if status == REQUESTED:
        return COUNTER_NOT_APPROVED
    if status in (RECEIVED, REFUNDED, EXCHANGED, CLOSED):
        return COUNTER_ALREADY_RECEIVED
    if status not in COUNTER_RECEIVABLE:
        return COUNTER_CLOSED
    return None


def counter_visible(*, method: str, store_code: str, clerk_store: str, counter: Mapping[str, Any]) -> bool:
    """The clerk may open this return: it comes to their counter, or their store received it."""
    return counter.get("store") == clerk_store or (
        at_counter(method) and (not needs_store(method) or store_code == clerk_store))


def counter_undo_until(counter: Mapping[str, Any]) -> dt.datetime | None:
    """Until when a counter reception can be undone (None: not received at a counter)."""
    at = counter.get("at") if counter else None
    return dt.datetime.fromisoformat(at) + COUNTER_UNDO_WINDOW if isinstance(at, str) and at else None


def can_undo_counter(status: str, counter: Mapping[str, Any], clerk_store: str, now: dt.datetime) -> bool:
    """The reception happened at this store's counter less than the window ago and nothing moved since
    (received, or refunded by the counter itself)."""
    until = counter_undo_until(counter)
    if until is None or counter.get("store") != clerk_store or now > until:
        return False
    return status == RECEIVED or (status == REFUNDED and bool(counter.get("refunded")))


def is_return_code(code: str) -> bool:
    """A well-formed counter code (anything else names no return and is never looked up)."""
    return len(code) == RETURN_CODE_LENGTH and all(c in RETURN_CODE_ALPHABET for c in code)


def looks_like_return_code(typed: str) -> bool:
    """What a clerk typed or scanned is a return's counter code (or its QR payload), not a pickup's."""
    return (typed or "").strip().upper().startswith(QR_PREFIX) or is_return_code(counter_code(typed))


#: the return's counter code: 10 characters without look-alikes (services.CODE_ALPHABET)
RETURN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RETURN_CODE_LENGTH = 10
