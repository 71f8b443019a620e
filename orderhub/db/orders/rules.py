"""Pure decisions about products and orders: reading them from the API, checking that the totals
add up in the currency's minor units, tax per rate, masking, and what happens next."""

from __future__ import annotations

import datetime as dt
import hmac
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orderhub import money
from orderhub.db import texts
from orderhub.db import validation as v
from orderhub.db.channels import rules as channel_rules
from orderhub.db.merchants.rules import read_address
from orderhub.db.payments import rules as payment_rules
from orderhub.db.pickup import rules as pickup_rules
from orderhub.db.shipping import rules as shipping_rules
from orderhub.db.validation import Reader, is_digits

SHIP = "ship"
PICKUP = "pickup"
FULFILMENT_TYPES = (SHIP, PICKUP)
#: Order.fulfillment_status. Shipping moves the first four forward (db/shipping/rules.fulfillment_status),
#: pickup keeps ready_for_pickup / picked_up in step with its state, returns sets returned.
CANCELLED = "cancelled"
RETURNED = "returned"
FULFILLMENT_STATUSES = (
    "unfulfilled", "partially_shipped", "shipped", "delivered", "ready_for_pickup", "picked_up", CANCELLED, RETURNED,
)
CARD = payment_rules.CARD
PAYMENT_METHODS = payment_rules.METHODS
MAX_LINES = 200


def read_product(data: Any, product_id: str, currency: str, locale: str = "en-US") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A product of PUT /api/v1/products/{id}; `title` and each variant's `option` are in the
    merchant's `locale`, and may be given per language beside them (`title_en`, `option_ja`, ...)."""
    r = Reader()
    base = texts.language_of_locale(locale)
    body = r.obj(data, "") or {}
    if not (0 < len(product_id) <= 200):
        r.error("id", "must be 1 to 200 characters")
    if "id" in body and body["id"] != product_id:
        r.error("id", "must match the id in the URL")
    product: dict[str, Any] = {
        "title": r.text(body, "title", "title", max_len=300),
        "url": r.web_url(body, "url", "url", required=True),
        "image_url": r.web_url(body, "image_url", "image_url", allow_static=True),
        "related": r.strings(body, "related", "related", max_items=50),
    }
    variants = []
    options: dict[str, Any] = {}
    for i, item in enumerate(r.items(body.get("variants"), "variants", min_items=1, max_items=500)):
        v = r.obj(item, f"variants[{i}]") or {}
        minor = r.amount(v, "price", f"variants[{i}].price", currency)
        plain_option = r.text(v, "option", f"variants[{i}].option", required=False, max_len=200)
        option = texts.read_text(r, v, "option", f"variants[{i}].option", base, base=plain_option, max_len=200)
        if option and isinstance(v.get("sku"), str):
            options[v["sku"].strip()] = option
        variants.append({
            "sku": r.text(v, "sku", f"variants[{i}].sku", max_len=100),
            "option": plain_option,
            "price": money.to_string(minor, currency),
            "in_stock": r.boolean(v, "in_stock", f"variants[{i}].in_stock", default=True),
        })
        if v.get("stock") is not None:  # optional count on hand (returns holds units of it for exchanges)
            variants[-1]["stock"] = r.integer(v, "stock", f"variants[{i}].stock", minimum=0, maximum=10**9)
    skus = [v["sku"] for v in variants]
    if len(set(skus)) != len(skus):
        r.error("variants", "SKUs must be unique")
    product["variants"] = variants
    product["in_stock"] = any(v["in_stock"] for v in variants)
    title = texts.read_text(r, body, "title", "title", base, base=product["title"], max_len=300)
    product["texts"] = {k: v for k, v in (("title", title), ("options", options)) if v}
    return product, r.errors


@dataclass(frozen=True)
class TaxLine:
    """One taxable amount: gross (what the shopper pays for it, after discounts) at a rate."""

    amount_minor: int
    rate: Decimal


def tax_by_rate(items: list[TaxLine], prices_include_tax: bool) -> dict[Decimal, tuple[int, int]]:
    """Totals per tax rate, tax rounded once per rate (half up), as Japanese qualified invoices
    require and most tax-exclusive checkouts do: {rate: (amount, tax)}. With tax-inclusive prices
    `amount` includes the tax; without, it is the taxable base."""
    sums: dict[Decimal, int] = {}
    for item in items:
        sums[item.rate] = sums.get(item.rate, 0) + item.amount_minor
    out = {}
    for rate in sorted(sums, reverse=True):
        amount = sums[rate]
        if prices_include_tax:
            tax = money.round_minor(Decimal(amount) * rate / (1 + rate))
        else:
            tax = money.round_minor(Decimal(amount) * rate)
        out[rate] = (amount, tax)
    return out


def order_tax_by_rate(lines: list[Any], discount_minor: int, shipping_minor: int, shipping_tax_rate: str,
                      prices_include_tax: bool) -> dict[Decimal, tuple[int, int]]:
    """An order's totals per tax rate from its stored lines (read by attribute) and totals: the one
    computation the hub, documents and refunds share."""
    line_dicts = [
        {"quantity": ln.quantity, "unit_price_minor": ln.unit_price_minor, "discount_minor": ln.discount_minor,
         "tax_rate": ln.tax_rate}
        for ln in lines
    ]
    order_level = max(0, discount_minor - sum(ln.discount_minor for ln in lines))
    return tax_by_rate(tax_items(line_dicts, order_level, shipping_minor, Decimal(shipping_tax_rate)), prices_include_tax)


def line_net_amounts(lines: list[dict[str, Any]], order_discount_minor: int) -> list[int]:
    """Each line's amount after its own discount and its share of the order-level discount,
    prorated by value."""
    own = [ln["quantity"] * ln["unit_price_minor"] - ln["discount_minor"] for ln in lines]
    shares = money.prorate(order_discount_minor, own)
    return [a - s for a, s in zip(own, shares, strict=False)]


def tax_items(
    lines: list[dict[str, Any]], order_discount_minor: int, shipping_minor: int, shipping_rate: Decimal
) -> list[TaxLine]:
    nets = line_net_amounts(lines, order_discount_minor)
    items = [TaxLine(n, Decimal(ln["tax_rate"])) for n, ln in zip(nets, lines, strict=False)]
    if shipping_minor:
        items.append(TaxLine(shipping_minor, shipping_rate))
    return items


def read_order(data: Any, stores: set[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The body of PUT /api/v1/orders/{id} -> (order, errors). Totals are recomputed in the
    currency's minor units and must agree with what the storefront sent."""
    r = Reader()
    body = r.obj(data, "") or {}
    currency = body.get("currency")
    if not money.is_currency(currency):
        r.error("currency", "must be an ISO 4217 currency code such as JPY or USD")
        currency = None
    order: dict[str, Any] = {
        "number": r.text(body, "number", "number", max_len=64),
        "placed_at": r.timestamp(body, "placed_at", "placed_at"),
        "currency": currency,
        "locale": r.text(body, "locale", "locale", required=False, max_len=16),
        "prices_include_tax": r.boolean(body, "prices_include_tax", "prices_include_tax"),
    }
    customer = r.obj(body.get("customer"), "customer") or {}
    order["customer"] = {
        "name": r.text(customer, "name", "customer.name", max_len=200),
        "email": r.email(customer, "email", "customer.email"),
        "phone": r.text(customer, "phone", "customer.phone", required=False, max_len=40),
        "tags": r.strings(customer, "tags", "customer.tags", max_items=50, max_len=64),
    }
    if "sms_consent" in customer:  # additive: the storefront asked the shopper about text messages
        order["customer"]["sms_consent"] = r.boolean(customer, "sms_consent", "customer.sms_consent")
    if order["customer"].get("sms_consent") is True:
        region = (body.get("shipping_address") or {}).get("country") if isinstance(body.get("shipping_address"), dict) else None
        if channel_rules.e164(order["customer"]["phone"], region if isinstance(region, str) else None) is None:
            r.error("customer.phone", channel_rules.BAD_PHONE,
                    "must be a valid phone number (like +81 90 1234 5678) when sms_consent is true")
    ful = r.obj(body.get("fulfillment"), "fulfillment") or {}
    kind = r.choice(ful, "type", "fulfillment.type", FULFILMENT_TYPES, default=SHIP)
    order["status"] = r.choice(body, "status", "status", ORDER_STATUSES, default=ORDER_OPEN)
    order["fulfillment"] = {
        "type": kind,
        "picking": order["status"] == ORDER_PICKING,
        "promised_date": r.date(ful, "promised_date", "fulfillment.promised_date"),
        "processing_days": r.integer(ful, "processing_days", "fulfillment.processing_days", minimum=0, maximum=365, default=0),
        "store_code": None,
    }
    if kind == PICKUP:
        code = r.text(ful, "store_code", "fulfillment.store_code", max_len=64)
        if code and code not in stores:
            r.error("fulfillment.store_code", "is not one of this merchant's stores")
        order["fulfillment"]["store_code"] = code
    address = body.get("shipping_address")
    if kind == SHIP or address is not None:
        order["shipping_address"] = read_address(r, r.obj(address, "shipping_address") or {}, "shipping_address")
    else:
        order["shipping_address"] = None

    lines = []
    seen: set[str] = set()
    for i, item in enumerate(r.items(body.get("lines"), "lines", min_items=1, max_items=MAX_LINES)):
        p = f"lines[{i}]"
        ln = r.obj(item, p) or {}
        line: dict[str, Any] = {
            "line_id": r.text(ln, "id", f"{p}.id", max_len=100),
            "sku": r.text(ln, "sku", f"{p}.sku", required=False, max_len=100),
            "product_id": r.text(ln, "product_id", f"{p}.product_id", required=False, max_len=200),
            "title": r.text(ln, "title", f"{p}.title", max_len=300),
            "variant": r.text(ln, "variant", f"{p}.variant", required=False, max_len=200),
            "quantity": r.integer(ln, "quantity", f"{p}.quantity", minimum=1, maximum=100000),
            "unit_price_minor": r.amount(ln, "unit_price", f"{p}.unit_price", currency),
            "discount_minor": r.amount(ln, "discount", f"{p}.discount", currency, required=False),
            "tax_rate": str(r.rate(ln, "tax_rate", f"{p}.tax_rate", default="0")),
            "final_sale": r.boolean(ln, "final_sale", f"{p}.final_sale", default=False),
            "image_url": r.web_url(ln, "image_url", f"{p}.image_url", allow_static=True),
            "position": i,
            "cancelled_quantity": r.integer(ln, "cancelled_quantity", f"{p}.cancelled_quantity", minimum=0,
                                            maximum=100000, default=0),
        }
        if line["cancelled_quantity"] and line["quantity"] and line["cancelled_quantity"] > line["quantity"]:
            r.error(f"{p}.cancelled_quantity", "is more than the line's quantity")
        line.update(read_backorder(r, ln, p, line["quantity"], order["placed_at"]))
        if line["line_id"] in seen:
            r.error(f"{p}.id", "is used by another line")
        seen.add(line["line_id"])
        if line["discount_minor"] > line["quantity"] * line["unit_price_minor"]:
            r.error(f"{p}.discount", "is more than the line's price")
        lines.append(line)
    order["lines"] = lines

    order["shipping_minor"] = r.amount(body, "shipping_price", "shipping_price", currency, required=False)
    shipping_rate = r.rate(body, "shipping_tax_rate", "shipping_tax_rate", default="0")
    order["shipping_tax_rate"] = str(shipping_rate)
    discounts = []
    for i, item in enumerate(r.items(body.get("discounts", []), "discounts", max_items=20)):
        d = r.obj(item, f"discounts[{i}]") or {}
        minor = r.amount(d, "amount", f"discounts[{i}].amount", currency)
        discounts.append({"code": r.text(d, "code", f"discounts[{i}].code", max_len=64), "amount_minor": minor})
    order["discounts"] = discounts
    pay = r.obj(body.get("payment", {}), "payment") or {}
    order["payment"] = payment_rules.read_order_payment(r, pay)
    totals = r.obj(body.get("totals"), "totals") or {}
    given = {k: r.amount(totals, k, f"totals.{k}", currency) for k in ("subtotal", "discount", "shipping", "tax", "total")}
    if r.errors:
        return order, r.errors

    _check_totals(r, order, given, shipping_rate)
    order.update({f"{k}_minor": v for k, v in given.items() if k != "shipping"})
    return order, r.errors


def _check_totals(r: Reader, order: dict[str, Any], given: dict[str, int], shipping_rate: Decimal) -> None:
    currency = order["currency"]
    lines = order["lines"]

    def show(minor: int) -> str:
        return money.to_string(minor, currency)

    subtotal = sum(ln["quantity"] * ln["unit_price_minor"] for ln in lines)
    if given["subtotal"] != subtotal:
        r.error("totals.subtotal", f"should be {show(subtotal)}: the sum of quantity × unit_price")
    line_discounts = sum(ln["discount_minor"] for ln in lines)
    codes = sum(d["amount_minor"] for d in order["discounts"])
    if order["discounts"] and codes != given["discount"]:
        r.error("totals.discount", f"should be {show(codes)}: the sum of the discounts")
    elif not order["discounts"] and given["discount"] != line_discounts:
        r.error("totals.discount", f"should be {show(line_discounts)}: the sum of the lines' discounts")
    order_level = given["discount"] - line_discounts
    if order_level < 0:
        r.error("totals.discount", f"is less than the lines' own discounts ({show(line_discounts)})")
        return
    if order_level > subtotal - line_discounts:
        r.error("totals.discount", "is more than the order's value")
        return
    if given["shipping"] != order["shipping_minor"]:
        r.error("totals.shipping", f"should be {show(order['shipping_minor'])}: the shipping_price")
    order["order_discount_minor"] = order_level
    per_rate = tax_by_rate(
        tax_items(lines, order_level, order["shipping_minor"], shipping_rate), order["prices_include_tax"]
    )
    tax = sum(t for _, t in per_rate.values())
    # storefronts that round per line may differ from once-per-rate rounding by a minor unit a line
    tolerance = len(lines) + 1
    if abs(given["tax"] - tax) > tolerance:
        r.error("totals.tax", f"should be about {show(tax)} at the lines' tax rates")
    goods = subtotal - given["discount"] + order["shipping_minor"]
    total = goods if order["prices_include_tax"] else goods + given["tax"]
    if given["total"] != total:
        how = "subtotal − discount + shipping" + ("" if order["prices_include_tax"] else " + tax")
        r.error("totals.total", f"should be {show(total)}: {how}")


# -- what a page shows ------------------------------------------------------------------------

#: what a shopper may type around or inside a postal code: the 〒 mark, spaces and every kind of dash
_POSTAL_NOISE = set("〒 \t-‐‑‒–—―−ー－")


def normalize_email(email: str) -> str:
    """An email address as stored and as looked up: full-width letters made plain, trimmed, lower case."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def normalize_postal_code(code: str, country: str = "") -> str:
    """A postal code as compared by the lookup, the same for what an order holds and what a shopper
    types: full-width digits made plain, no 〒, spaces or dashes, upper case. A Japanese code is its
    seven digits; a US ZIP code its first five (ZIP+4 matches the plain ZIP)."""
    plain = unicodedata.normalize("NFKC", code or "").upper()
    kept = "".join(c for c in plain if c not in _POSTAL_NOISE and not c.isspace())
    kept = "".join(c for c in kept if c.isascii() and c.isalnum())
    if country.upper() == "US" and is_digits(kept) and len(kept) in (5, 9):
        return kept[:5]
    return kept


def postal_codes_match(stored: str, given: str, country: str = "") -> bool:
    """Whether what a shopper typed is the order's postal code (at least three characters)."""
    a, b = normalize_postal_code(stored, country), normalize_postal_code(given, country)
    return len(b) >= 3 and hmac.compare_digest(a.encode(), b.encode())


def mask_email(email: str) -> str:
    """j***@example.com: enough to recognise, not enough to harvest."""
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def first_name(full_name: str, locale: str) -> str:
    """The name to greet with. Japanese names are written family name first, and shops
    address customers by family name + 様; elsewhere the first word is the given name."""
    parts = full_name.split()
    if not parts:
        return ""
    return parts[0]


def masked_address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    """City-level address for a link holder: no street lines, no name."""
    if not address:
        return None
    return {k: address.get(k, "") for k in ("postal_code", "region", "city", "country")} | {
        "postal_code": mask_postal_code(address.get("postal_code", ""))
    }


def mask_postal_code(code: str) -> str:
    visible = code[:3]
    return visible + "".join("*" if c.isalnum() else c for c in code[3:])


def cancel_deadline(placed_at: dt.datetime, policy: dict[str, Any]) -> dt.datetime:
    return placed_at + dt.timedelta(hours=int(policy.get("cancel_window_hours", 1)))


def can_cancel(cancelled: bool, cancel_until: dt.datetime, now: dt.datetime) -> bool:
    """The shopper may still ask to cancel (before the merchant's cancellation window closes)."""
    return not cancelled and now < cancel_until


def return_window_days(policy: dict[str, Any], tags: list[str]) -> int:
    days = int(policy.get("return_window_days", 30))
    for tag in tags:
        days = max(days, int(policy.get("extended_window_days_by_tag", {}).get(tag, 0)))
    return days


def add_business_days(start: dt.date, days: int) -> dt.date:
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def is_cancelled(cancelled_at: dt.datetime | None, fulfillment_status: str) -> bool:
    return cancelled_at is not None or fulfillment_status == CANCELLED


# --- the order's one-word status at the top of the hub ---------------------------------------------

#: every status the hub's summary can show, with its tone (the badge's colour)
STATUS_TONES: dict[str, str] = {
    "processing": "info", "preparing": "info", "shipped": "info", "partially_delivered": "info",
    "out_for_delivery": "info", "delivered": "good", "attention": "warn", "ready_for_pickup": "good",
    "picked_up": "good", "pickup_expired": "warn", "cancelled": "muted", "returned": "muted",
    "awaiting_payment": "warn",
}
#: statuses in which the parcel has left the shop
ON_ITS_WAY = frozenset({"shipped", "partially_delivered", "out_for_delivery", "delivered", "attention"})
#: pickup orders the store has made ready (or already handed over)
READY = frozenset({"ready_for_pickup", "picked_up"})
#: statuses in which the shop has not handed anything over yet (a pending payment shows instead)
NOT_STARTED = frozenset({"processing", "preparing"})
#: the pickup's state -> the hub's status (placed or unknown: processing)
PICKUP_STATUS: dict[str, str] = {
    "preparing": "preparing",
    **{state: "ready_for_pickup" for state in pickup_rules.COLLECTABLE},
    "picked_up": "picked_up", "expired": "pickup_expired", "cancelled": "cancelled",
}


@dataclass(frozen=True)
class OrderStatus:
    """The hub's one-word summary of an order (`key`, translated when shown) and what follows from it."""

    key: str

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.key, "info")

    @property
    def on_its_way(self) -> bool:
        return self.key in ON_ITS_WAY

    @property
    def delivered(self) -> bool:
        return self.key == "delivered"

    @property
    def ready_for_pickup(self) -> bool:
        return self.key in READY

    @property
    def picked_up(self) -> bool:
        return self.key == "picked_up"


def status_key(
    *, cancelled: bool, fulfillment_type: str, fulfillment_status: str, shipment_statuses: list[str],
    pickup_state: str | None, awaiting_payment: bool = False,
) -> str:
    """The one-word summary at the top of the hub, from the order, its shipments and pickup.
    `awaiting_payment` (payments.rules.awaiting_payment: a konbini or bank transfer not paid yet)
    says so instead of "processing"/"preparing": nothing is prepared until the money arrives."""
    if cancelled or fulfillment_status == CANCELLED:
        return "cancelled"
    if fulfillment_status == RETURNED:
        return "returned"
    if fulfillment_type == PICKUP:
        key = PICKUP_STATUS.get(pickup_state or "", "processing")
        return "awaiting_payment" if awaiting_payment and key in NOT_STARTED else key
    if not shipment_statuses:
        return "awaiting_payment" if awaiting_payment else "processing"
    if all(shipping_rules.is_delivered(s) for s in shipment_statuses):
        return "delivered"
    if any(shipping_rules.in_trouble(s) for s in shipment_statuses):
        return "attention"
    if any(shipping_rules.is_out_for_delivery(s) for s in shipment_statuses):
        return "out_for_delivery"
    if any(shipping_rules.is_delivered(s) for s in shipment_statuses):
        return "partially_delivered"
    return "shipped"


def order_status(**facts: Any) -> OrderStatus:
    """`status_key` as an OrderStatus (the same keyword arguments)."""
    return OrderStatus(status_key(**facts))


# --- how long a hub link opens the hub (Merchant.settings["links"]) -----------------------------------

#: count the days from the order's end (delivered, picked up, or cancelled) or from the order date
AFTER_FULFILMENT, AFTER_ORDER = "fulfilment", "order"
LINK_AFTER = (AFTER_FULFILMENT, AFTER_ORDER)
#: `expire_days` None: links never expire (the default)
LINK_DEFAULTS: dict[str, Any] = {"expire_days": None, "after": AFTER_FULFILMENT}
MAX_LINK_DAYS = 3650
#: fulfilment statuses after which nothing more happens to the order (its link's days count from then)
ENDED = frozenset({"delivered", "picked_up", RETURNED, CANCELLED})


def validate_link_settings(body: object) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Merchant.settings["links"] -> (clean settings, errors as {"field", "code", "message"})."""
    if not isinstance(body, dict):
        return {}, [v.field_error("links", v.NOT_OBJECT)]
    clean: dict[str, Any] = {}
    errors = [v.field_error(f"links.{name}"[:100], v.UNKNOWN_KEY) for name in body if name not in LINK_DEFAULTS]
    if "expire_days" in body:
        days = body["expire_days"]
        if days is None:
            clean["expire_days"] = None
        elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_LINK_DAYS:
            errors.append(v.field_error("links.expire_days", v.OUT_OF_RANGE,
                                        f"must be a whole number from 1 to {MAX_LINK_DAYS}", low=1, high=MAX_LINK_DAYS))
        else:
            clean["expire_days"] = days
    if "after" in body:
        if body["after"] in LINK_AFTER:
            clean["after"] = body["after"]
        else:
            errors.append(v.field_error("links.after", v.NOT_CHOICE, "must be one of " + ", ".join(LINK_AFTER)))
    return clean, errors


def read_link_settings(raw: object) -> dict[str, Any]:
    """The merchant's link settings with defaults filled in (bad stored values fall back too)."""
    raw = raw if isinstance(raw, dict) else {}
    clean, _errors = validate_link_settings({k: val for k, val in raw.items() if k in LINK_DEFAULTS})
    return {**LINK_DEFAULTS, **clean}


def link_expires_at(
    settings: dict[str, Any], *, placed_at: dt.datetime, issued_at: dt.datetime | None, fulfillment_status: str,
    cancelled_at: dt.datetime | None, delivered_at: dt.datetime | None, picked_up_at: dt.datetime | None,
) -> dt.datetime | None:
    """The one rule for when a shopper's hub link stops opening the hub (None: it never does).

    `settings` (read_link_settings): `expire_days` days after the order's end (AFTER_FULFILMENT: the last
    parcel delivered, the pickup handed over, or the order cancelled; an order that has not ended yet
    does not expire) or after it was placed (AFTER_ORDER). A link issued later (`issued_at`: a revoke, or
    the lookup replacing an expired link) gets the whole period from its issue. Exact to the moment:
    the link opens until just before the returned instant."""
    days = settings.get("expire_days")
    if not days:
        return None
    if settings.get("after") == AFTER_ORDER:
        start: dt.datetime | None = placed_at
    elif fulfillment_status in ENDED:
        start = cancelled_at if fulfillment_status == CANCELLED or cancelled_at else None
        start = start or max((m for m in (delivered_at, picked_up_at) if m is not None), default=None)
    else:
        start = None
    if start is None:
        return None
    if issued_at is not None and issued_at > start:
        start = issued_at
    return start + dt.timedelta(days=days)


def link_expired(expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    return expires_at is not None and now >= expires_at


# --- cross-sells (Merchant.settings["cross_sells"]) -------------------------------------------------

CROSS_SELL_DEFAULTS: dict[str, Any] = {"enabled": True, "in_emails": False, "related": {}}
MAX_RELATED = 12


def read_cross_sells_settings(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The merchant's cross-sell settings with defaults: shown on the order page, not in emails,
    related products from the catalog unless the merchant chose others for a product."""
    raw = raw if isinstance(raw, dict) else {}
    clean, _errors = validate_cross_sells_settings({k: v for k, v in raw.items() if k in CROSS_SELL_DEFAULTS}, None)
    return {**CROSS_SELL_DEFAULTS, **clean}


#: cross-sell settings naming a product the merchant doesn't have (or a product related to itself)
UNKNOWN_PRODUCT = "cross_sells.unknown_product"
UNKNOWN_RELATED = "cross_sells.unknown_related"


def validate_cross_sells_settings(body: object, known_products: set[str] | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """-> (clean, errors). `related` maps a product id to the ids shown with it; with
    `known_products` every id must be one of the merchant's products (and not the product itself)."""
    if not isinstance(body, dict):
        return {}, [v.field_error("cross_sells", v.NOT_OBJECT)]
    clean: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name in body:
        if name not in CROSS_SELL_DEFAULTS:
            errors.append(v.field_error(f"cross_sells.{name}"[:100], v.UNKNOWN_KEY))
    for name in ("enabled", "in_emails"):
        if name in body:
            if isinstance(body[name], bool):
                clean[name] = body[name]
            else:
                errors.append(v.field_error(f"cross_sells.{name}", v.NOT_BOOLEAN))
    related = body.get("related", {})
    if not isinstance(related, dict):
        errors.append(v.field_error("cross_sells.related", v.NOT_OBJECT))
        related = {}
    clean_related: dict[str, list[str]] = {}
    for product_id, ids in related.items():
        path = f"cross_sells.related.{str(product_id)[:64]}"
        if known_products is not None and product_id not in known_products:
            errors.append(v.field_error(path, UNKNOWN_PRODUCT, "is not one of your products", ids=str(product_id)[:64]))
            continue
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            errors.append(v.field_error(path, v.NOT_LIST, "must be a list of product ids"))
            continue
        if len(ids) > MAX_RELATED:
            errors.append(v.field_error(path, v.TOO_MANY_ITEMS, n=MAX_RELATED))
            continue
        unknown = [i for i in ids if i == product_id or (known_products is not None and i not in known_products)]
        if unknown:
            ids = ", ".join(unknown)[:200]
            errors.append(v.field_error(path, UNKNOWN_RELATED, "unknown product: " + ids, ids=ids))
            continue
        clean_related[product_id] = list(dict.fromkeys(ids))
    if "related" in body:
        clean["related"] = clean_related
    return clean, errors


def line_texts(title: str, variant: str, sku: str, product_texts: dict[str, Any] | None) -> dict[str, Any]:
    """An order line's title and variant per language, from its product's texts (orderhub.db.texts),
    when the line names the product as the catalog does in one of its languages (the line is what was
    bought: a title the storefront changed for this order keeps its own words). {} when unknown."""
    words = product_texts or {}
    out: dict[str, Any] = {}
    titles = words.get("title") or {}
    if isinstance(titles, dict) and title in titles.values():
        out["title"] = titles
    options = (words.get("options") or {}).get(sku) if isinstance(words.get("options"), dict) else None
    if isinstance(options, dict) and variant and variant in options.values():
        out["variant"] = options
    return out


# --- cancellation before shipment (orderhub/db/orders/cancellation.py) ---------------------------

#: the merchant's choice (policy["cancellation"]): the shopper's cancellation is a request the merchant
#: accepts or refuses (the default), or it takes effect at once
CANCEL_REQUEST, CANCEL_INSTANT = "request", "instant"
CANCEL_MODES = (CANCEL_REQUEST, CANCEL_INSTANT)
#: a cancellation's life: requested -> accepted | refused (instant and storefront ones start accepted)
REQUESTED, ACCEPTED, REFUSED = "requested", "accepted", "refused"
CANCEL_STATES = (REQUESTED, ACCEPTED, REFUSED)
SHOPPER, STOREFRONT = "shopper", "storefront"
#: why the shopper cancels (English labels in site/cancel/presenter.py)
CANCEL_REASONS = ("changed_mind", "ordered_by_mistake", "found_cheaper", "too_slow", "wrong_details", "other")
MAX_CANCEL_COMMENT = 500
#: the storefront's order status in PUT /api/v1/orders/{id}: picking closes self-service cancellation
ORDER_OPEN, ORDER_PICKING = "open", "picking"
ORDER_STATUSES = (ORDER_OPEN, ORDER_PICKING, CANCELLED)
#: how a refund reaches the shopper (the words: components/refund_words.py)
REFUND_NONE, REFUND_CARD, REFUND_BANK, REFUND_WALLET, REFUND_GIFT_CARD, REFUND_OTHER = (
    "none", "card", "bank", "wallet", "gift_card", "other")
#: payment states in which nothing was taken yet (the pay area's vocabulary; absent = paid, as before)
UNPAID = frozenset({"pending", "voided"})
AUTHORIZED = "authorized"

# refusal codes (site/messages/orders.py)
CANCEL_CLOSED = "cancel.closed"
CANCEL_PENDING = "cancel.pending"
CANCEL_NONE_PENDING = "cancel.none_pending"
CANCEL_NOTHING_CHOSEN = "cancel.nothing_chosen"
CANCEL_TOO_MANY = "cancel.too_many"
CANCEL_BAD_REASON = "cancel.bad_reason"
CANCEL_BAD_REFUND = "cancel.bad_refund"
CANCEL_BAD_UNITS = "cancel.bad_units"
CANCEL_COMMENT_TOO_LONG = "cancel.comment_too_long"
#: English of the shopper's form errors (API answers); pages word the codes (site/messages/orders.py)
CANCEL_INPUT_MESSAGES: dict[str, str] = {
    CANCEL_NOTHING_CHOSEN: "choose at least one item to cancel",
    CANCEL_TOO_MANY: "at most {num} can be cancelled",
    CANCEL_BAD_UNITS: "must be a whole number",
    CANCEL_BAD_REASON: "choose a reason",
    CANCEL_COMMENT_TOO_LONG: "must be at most {max} characters",
}
cancel_error = v.AreaErrors(CANCEL_INPUT_MESSAGES)


def cancel_mode(policy: dict[str, Any]) -> str:
    mode = (policy or {}).get("cancellation")
    return mode if mode in CANCEL_MODES else CANCEL_REQUEST


def cancellable_units(quantity: int, fulfilled: int, cancelled: int) -> int:
    """Units of a line that can still be cancelled: not shipped (or handed over), not cancelled."""
    return max(0, quantity - fulfilled - cancelled)


def not_started(fulfillment_status: str, picking: bool) -> bool:
    """Nothing of the order is picked, shipped or made ready yet."""
    return fulfillment_status == "unfulfilled" and not picking


def cancel_open(*, cancelled: bool, fulfillment_status: str, picking: bool, cancel_until: dt.datetime,
                now: dt.datetime, units_left: int, pending: bool) -> bool:
    """The shopper may ask to cancel (the hub shows "Cancel order"): before the merchant's cut-off
    (`cancel_window_hours` after the order), before the storefront reports picking or shipping, with
    units left to cancel and no request waiting for the merchant."""
    return (not cancelled and not pending and units_left > 0 and not_started(fulfillment_status, picking)
            and now < cancel_until)


def read_cancel_choice(quantities: dict[str, str], available: dict[str, int], reason: str, comment: str,
                       ) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The shopper's form -> ({line_id: units}, errors as {"field", "code"}). `quantities` as typed
    ({line_id: "2"}); a line not in `available` cannot be chosen."""
    errors: list[dict[str, Any]] = []
    items: dict[str, int] = {}
    for line_id, raw in quantities.items():
        text = (raw or "0").strip()
        if not is_digits(text) or len(text) > 6:
            errors.append(cancel_error(f"items.{line_id}", CANCEL_BAD_UNITS))
            continue
        units = int(text)
        if units == 0:
            continue
        if units > available.get(line_id, 0):
            error = cancel_error(f"items.{line_id}", CANCEL_TOO_MANY, num=available.get(line_id, 0))
            errors.append({**error, "params": {"num": available.get(line_id, 0)}})
            continue
        items[line_id] = units
    if not items and not errors:
        errors.append(cancel_error("items", CANCEL_NOTHING_CHOSEN))
    if reason not in CANCEL_REASONS:
        errors.append(cancel_error("reason", CANCEL_BAD_REASON))
    if len(comment or "") > MAX_CANCEL_COMMENT:
        errors.append({**cancel_error("comment", CANCEL_COMMENT_TOO_LONG, max=MAX_CANCEL_COMMENT),
                       "params": {"max": MAX_CANCEL_COMMENT}})
    return items, errors


def cancels_whole(available: dict[str, int], items: dict[str, int], shipped_any: bool) -> bool:
    """Every unit still to ship is in `items` and nothing shipped: the order itself is cancelled."""
    return not shipped_any and all(items.get(line_id, 0) >= units for line_id, units in available.items())


def refund_route(method: str, payment_status: str | None) -> str:
    """How the money of a cancellation goes back (REFUND_NONE: nothing was taken: konbini or bank
    transfer not paid yet, a voided payment, or cash on delivery before delivery)."""
    status = payment_status or "paid"
    if status in UNPAID or method in ("cash_on_delivery", "cod"):
        return REFUND_NONE
    if method == CARD and status == AUTHORIZED:
        return REFUND_CARD  # the hold is released
    return {CARD: REFUND_CARD, "konbini": REFUND_BANK, "bank_transfer": REFUND_BANK, "paypay": REFUND_WALLET,
            "paypal": REFUND_WALLET, "gift_card": REFUND_GIFT_CARD}.get(method, REFUND_OTHER)


# --- backorders and delays (issue 19 item 5) -------------------------------------------------------
# The storefront says per line how many units wait for stock and when it expects to ship them; the hub,
# the `order.delayed` email and webhook and the API all state what these rules decide.


def read_backorder(r: Reader, ln: dict[str, Any], path: str, quantity: int,
                   placed_at: dt.datetime | None) -> dict[str, Any]:
    """A line's optional `backordered` (0 to its quantity) and `expected_ship_date` (YYYY-MM-DD, not
    before the order date; only with units backordered)."""
    backordered = r.integer(ln, "backordered", f"{path}.backordered", minimum=0, maximum=100000, default=0)
    if backordered > quantity:
        r.error(f"{path}.backordered", "cannot be more than the line's quantity")
    expected = r.date(ln, "expected_ship_date", f"{path}.expected_ship_date")
    if expected is not None and not backordered:
        r.error(f"{path}.expected_ship_date", "needs backordered units on the line")
    if expected is not None and placed_at is not None and expected < placed_at.date() - dt.timedelta(days=1):
        r.error(f"{path}.expected_ship_date", "cannot be before the order date")
    return {"backordered_quantity": backordered, "expected_ship_date": expected}


@dataclass(frozen=True)
class Backorder:
    """Units of a line still waiting for stock, and when the storefront expects to ship them."""

    quantity: int
    expected_ship_date: dt.date | None


def line_backorder(quantity: int, fulfilled: int, backordered: int, expected: dt.date | None) -> Backorder | None:
    """What the shopper is told about a line: never more units backordered than are still to ship
    (a shipment that carries them ends the notice), None when nothing waits."""
    waiting = min(max(backordered, 0), max(quantity - fulfilled, 0))
    return Backorder(waiting, expected) if waiting else None


def backorder_ship_date(backorders: list[Backorder | None]) -> dt.date | None:
    """The day the order's last backordered units are expected to ship (the storefront's latest date),
    None when nothing waits with a date: the delivery promise of unshipped items counts from it, and
    the delay job announces it."""
    dates = [b.expected_ship_date for b in backorders if b is not None and b.expected_ship_date is not None]
    return max(dates) if dates else None


@dataclass(frozen=True)
class Delay:
    """An order unshipped past its processing promise, and when it is now expected to ship."""

    promised_ship_date: dt.date
    expected_ship_date: dt.date
    #: the storefront's own date (a backordered line's) rather than our prediction
    from_storefront: bool


def shipping_delay(*, unshipped: bool, promised_ship_date: dt.date, ships_from: dt.date | None,
                   today: dt.date, next_ship_date: dt.date) -> Delay | None:
    """Late when units are still to ship after the day the processing promise said they leave us
    (`promised_ship_date`, shipping rules' `ships_on`); the new expected date is the storefront's
    (`ships_from`: backorder_ship_date) while it is still ahead, else `next_ship_date` (when an order
    placed now would leave us)."""
    if not unshipped or today <= promised_ship_date:
        return None
    if ships_from is not None and ships_from >= today:
        return Delay(promised_ship_date, ships_from, True)
    return Delay(promised_ship_date, max(next_ship_date, today), False)


def delay_is_news(delay: Delay | None, announced_for: dt.date | None) -> bool:
    """Tell the shopper once when an order becomes late, and again only when the storefront moves
    its expected date later than the one announced (our own prediction never re-announces)."""
    if delay is None:
        return False
    if announced_for is None:
        return True
    return delay.from_storefront and delay.expected_ship_date > announced_for
