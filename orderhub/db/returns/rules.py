"""Pure decisions about returns: eligibility per line, the state machine, fees, and the exact
refund breakdown in the currency's minor units. No I/O; `now` is always a parameter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from orderhub import money
from orderhub.db.merchants.rules import RETURN_METHODS
from orderhub.db.orders import rules as order_rules

RESOLUTIONS = ("refund", "store_credit", "exchange")
METHODS = RETURN_METHODS  # drop_off, in_store, mail, home_pickup
#: reasons that are the merchant's fault: shipping comes back when the whole order does
MERCHANT_FAULT = ("damaged", "wrong_item", "missing")
MAX_COMMENT = 1000

#: the state machine: state -> {action: next state}
TRANSITIONS: dict[str, dict[str, str]] = {
    "requested": {"approve": "approved", "reject": "rejected", "cancel": "cancelled"},
    "approved": {"ship": "in_transit", "receive": "received", "cancel": "cancelled", "expire": "expired",
                 "refund": "refunded"},
    "in_transit": {"receive": "received"},
    "received": {"refund": "refunded", "exchange": "exchanged", "close": "closed"},
}
FINAL = ("refunded", "exchanged", "closed", "rejected", "cancelled", "expired")
STATUSES = ("requested", "approved", "in_transit", "received", *FINAL)


class IllegalTransition(Exception):
    def __init__(self, status: str, action: str) -> None:
        super().__init__(f"a return that is {status} cannot be moved by {action}")
        self.status, self.action = status, action


def next_status(status: str, action: str, *, keep_item: bool = False, resolution: str | None = None) -> str:
    """The state after `action`; refund straight from approved only when nothing is sent back; an
    exchange is completed by `exchange`, a refund or store credit by `refund` (when the resolution
    is given); nothing to ship back for a kept item."""
    target = TRANSITIONS.get(status, {}).get(action)
    if target is None or (status == "approved" and action == "refund" and not keep_item):
        raise IllegalTransition(status, action)
    if keep_item and action in ("ship", "expire"):
        raise IllegalTransition(status, action)
    if resolution is not None and ((action == "exchange") != (resolution == "exchange")) and \
            action in ("exchange", "refund"):
        raise IllegalTransition(status, action)
    return target


#: days an approved return may wait for the item to be sent before it expires (policy "return_ship_within_days")
SHIP_WITHIN_DAYS = 14


def ship_within_days(policy: dict) -> int:
    value = (policy or {}).get("return_ship_within_days")
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 365 else SHIP_WITHIN_DAYS


def expired(status: str, keep_item: bool, approved_at: dt.datetime, now: dt.datetime, policy: dict) -> bool:
    """An approved return whose item was never sent within the policy's days."""
    return status == "approved" and not keep_item and now - approved_at >= dt.timedelta(days=ship_within_days(policy))


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


@dataclass(frozen=True)
class Eligibility:
    returnable: int
    #: why nothing (or less) can be returned: final_sale, not_delivered, window_closed, all_returned, or ""
    reason: str
    deadline: dt.date | None


def fulfilled_units(quantity: int, fulfilled_quantity: int, *, fulfillment_type: str, fulfillment_status: str) -> int:
    """What was actually handed over: the line's fulfilled counter (kept by shipping), or every unit of
    a pickup order once it was picked up (collecting the order hands over all of it)."""
    if fulfillment_type == "pickup" and fulfillment_status in ("picked_up", "returned"):
        return quantity
    return max(0, min(quantity, fulfilled_quantity))


def window_start(delivered_at: dt.datetime | None, promised_date: dt.date | None, timezone: str) -> dt.date | None:
    if delivered_at is not None:
        from zoneinfo import ZoneInfo

        return delivered_at.astimezone(ZoneInfo(timezone)).date()
    return promised_date


def eligibility(line: LineFacts, *, policy: dict, tags: list[str], promised_date: dt.date | None,
                now: dt.datetime, timezone: str = "UTC") -> Eligibility:
    """How many units of a line can still be asked back (delivered minus already requested), and
    until when (the deadline is the last day, inclusive, in the merchant's time zone)."""
    start = window_start(line.delivered_at, promised_date, timezone)
    deadline = start + dt.timedelta(days=order_rules.return_window_days(policy, tags)) if start else None
    if line.final_sale:
        return Eligibility(0, "final_sale", deadline)
    if deadline is None:
        return Eligibility(0, "not_delivered", None)
    from zoneinfo import ZoneInfo

    today = now.astimezone(ZoneInfo(timezone)).date()
    if today < start:
        return Eligibility(0, "not_delivered", deadline)
    if today > deadline:
        return Eligibility(0, "window_closed", deadline)
    fulfilled = max(0, min(line.quantity, line.fulfilled_quantity))
    if fulfilled == 0 and line.requested_quantity == 0:
        return Eligibility(0, "not_delivered", deadline)
    # only what was delivered can come back, minus what was already asked back
    left = max(0, fulfilled - line.requested_quantity)
    return Eligibility(left, "" if left else "all_returned", deadline)


def photo_required(policy: dict, reason: str) -> bool:
    return reason in (policy.get("photo_required_reasons") or [])


def fee_minor(policy: dict, method: str, resolution: str, currency: str) -> int:
    """The return fee for a method: waived for free methods, for store credit and for exchanges."""
    if resolution in ("store_credit", "exchange") or method in (policy.get("free_return_methods") or []):
        return 0
    raw = (policy.get("return_fee") or {}).get(method)
    return money.parse(raw, currency) if raw else 0


def exchange_options(product_variants: list[dict], current_sku: str, unit_price_minor: int, currency: str) -> list[dict]:
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
            out.append({"sku": v["sku"], "option": v.get("option", "")})
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
    by_rate: dict = field(default_factory=dict)

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
        [order_rules.TaxLine(v, r) for v, r in zip(values, keys)], order.prices_include_tax)
    taxes = [0] * len(values)
    for rate, (_, tax) in per_rate.items():
        idx = [i for i, r in enumerate(keys) if r == rate]
        for i, share in zip(idx, money.prorate(tax, [values[i] for i in idx])):
            taxes[i] = share
    ship = taxes.pop() if order.shipping_minor else 0
    return taxes, ship


def refund_breakdown(order: OrderMoney, items: dict[str, int], *, reason: str, resolution: str, method: str,
                     policy: dict, already_refunded_minor: int = 0, shipping_already_refunded: bool = False,
                     previously_returned: dict[str, int] | None = None) -> Breakdown:
    """Exact refund for returning `items` ({line_id: units}). Units already returned before
    (`previously_returned`, defaults to the lines' requested counters) count first, so that many
    small returns of a line add up to exactly one return of all of it."""
    prev = previously_returned if previously_returned is not None else {
        ln.line_id: ln.requested_quantity for ln in order.lines}
    dicts = [{"quantity": ln.quantity, "unit_price_minor": ln.unit_price_minor, "discount_minor": ln.discount_minor}
             for ln in order.lines]
    nets = order_rules.line_net_amounts(dicts, order.order_discount_minor)
    inclusive = order.prices_include_tax
    line_taxes, ship_tax = order_taxes(order, nets)
    amounts: list[ItemAmount] = []
    for ln, net, line_tax in zip(order.lines, nets, line_taxes):
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
    if (whole_order and reason in MERCHANT_FAULT and not shipping_already_refunded and order.shipping_minor
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
        fee = 0 if keep_item else fee_minor(policy, method, resolution, order.currency)
        if fee:
            parts.append(Part("fee", -min(fee, value)))
    money_back = sum(p.amount_minor for p in parts)
    cap = max(0, order.total_minor - already_refunded_minor)
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


def breakdown_json(b: Breakdown) -> dict:
    return {
        "currency": b.currency,
        "items": [{"line_id": a.line_id, "quantity": a.quantity, "amount_minor": a.amount_minor,
                   "tax_minor": a.tax_minor, "tax_rate": str(a.tax_rate)} for a in b.items],
        "parts": [{"kind": p.kind, "amount_minor": p.amount_minor} for p in b.parts],
        "keep_item": b.keep_item,
        "total_minor": b.total_minor,
        "by_rate": [{"rate": str(r), "amount_minor": a, "tax_minor": t} for r, (a, t) in b.by_rate.items()],
    }


def auto_approve(reason: str, total_minor: int, policy: dict, currency: str) -> bool:
    """Approve without review unless the merchant asks to review the reason or the value is high."""
    review = policy.get("review_reasons", ["other"])
    limit = policy.get("auto_approve_under")
    if reason in review:
        return False
    if limit is not None and total_minor >= money.parse(limit, currency):
        return False
    return True


def returns_section_open(order: Any) -> bool:
    """The hub shows its Returns section once something left the warehouse and the order stands."""
    return not order.cancelled and order.fulfillment_status not in ("unfulfilled", "processing", "cancelled")
