"""Pure decisions about documents: what a receipt shows, per-rate totals rounded once per rate,
the reduced-rate mark, the 領収書 fields, and the cache key of a finished document."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orderhub import money
from orderhub.db.orders import rules as order_rules
from orderhub.db.payments import rules as payment_rules

#: bump when a template or the print stylesheet changes what a document shows
TEMPLATE_VERSION = 4
#: Japan's reduced consumption tax rate (food, newspapers): marked ※ on qualified invoices
REDUCED_RATES_JP = frozenset({Decimal("0.08")})
MAX_ADDRESSEE = 60
MAX_PURPOSE = 60
#: the documents: an order's receipt, and a return's credit note and mail slip
RECEIPT, CREDIT_NOTE, RETURN_SLIP = "receipt", "credit", "slip"
#: the order confirmation (注文確認書): what was ordered, before the money arrived; not a receipt
CONFIRMATION = "confirmation"
#: a refund's credit note (適格返還請求書), numbered C-000001 per merchant
REFUND_CREDIT = "refund-credit"
#: the issue log: the first issue of the 領収書 original, then reissues (再発行)
ISSUE, REISSUE = "issue", "reissue"
FORMAL = "formal"
#: the 領収書 form's fields and their lengths (the page shows them; read_formal enforces them)
FORMAL_LIMITS = {"addressee": MAX_ADDRESSEE, "purpose": MAX_PURPOSE}

# -- refusals: stable codes (pages word them through orderhub.site.messages.documents) ---------

ORDER_CANCELLED = "receipt.order_cancelled"
NOT_PAID = "receipt.not_paid"
NOT_DELIVERED = "receipt.cod_not_delivered"
NO_RECEIPT = "receipt.none"
LOG_BAD_DATE = "documents.log_bad_date"
LOG_BAD_AMOUNT = "documents.log_bad_amount"
LOG_RANGE = "documents.log_range"
ALREADY_ISSUED = "receipt.already_issued"
ADDRESSEE_REQUIRED = "receipt.addressee_required"
TOO_LONG = "receipt.too_long"
NOT_PRINTABLE = "receipt.not_printable"

#: code -> the English message of a form error
INPUT_MESSAGES = {
    ADDRESSEE_REQUIRED: "is required",
    TOO_LONG: "must be at most {limit} characters",
    NOT_PRINTABLE: "contains characters that cannot be printed",
}


def field_error(field: str, code: str, **params: object) -> dict[str, str]:
    return {"field": field, "code": code, "message": INPUT_MESSAGES[code].format(**params)}


@dataclass(frozen=True)
class DocLine:
    title: str
    variant: str
    quantity: int
    unit_price_minor: int
    discount_minor: int
    amount_minor: int
    rate: Decimal
    reduced: bool


@dataclass(frozen=True)
class RateTotal:
    rate: Decimal
    #: what the shopper paid at this rate (tax included)
    gross_minor: int
    #: the taxable base (tax excluded)
    base_minor: int
    tax_minor: int
    reduced: bool


def japanese(currency: str) -> bool:
    """Documents in yen follow Japan's invoice rules (適格請求書: reduced-rate mark, 領収書 form)."""
    return currency == "JPY"


def qualified(japan: bool, registration: str) -> bool:
    """A qualified (simplified / return) invoice: Japan's rules and a registration number (T...)."""
    return japan and bool(registration)


def is_reduced(rate: Decimal, japan: bool) -> bool:
    return japan and rate in REDUCED_RATES_JP


def doc_lines(lines: list[Any], japan: bool) -> list[DocLine]:
    return [
        DocLine(ln.title, ln.variant, ln.quantity, ln.unit_price_minor, ln.discount_minor,
                ln.quantity * ln.unit_price_minor - ln.discount_minor, Decimal(ln.tax_rate),
                is_reduced(Decimal(ln.tax_rate), japan))
        for ln in lines
    ]


def rate_totals(lines: list[Any], order_discount_minor: int, shipping_minor: int, shipping_rate: Decimal,
                prices_include_tax: bool, japan: bool) -> list[RateTotal]:
    """Totals per tax rate for the whole document, tax rounded once per rate (orders.rules)."""
    line_dicts = [
        {"quantity": ln.quantity, "unit_price_minor": ln.unit_price_minor, "discount_minor": ln.discount_minor,
         "tax_rate": str(ln.tax_rate)}
        for ln in lines
    ]
    per_rate = order_rules.tax_by_rate(
        order_rules.tax_items(line_dicts, order_discount_minor, shipping_minor, shipping_rate), prices_include_tax
    )
    return from_per_rate(per_rate, prices_include_tax, japan)


def from_per_rate(per_rate: dict[Decimal, tuple[int, int]], prices_include_tax: bool, japan: bool) -> list[RateTotal]:
    """{rate: (amount, tax)} from orders.rules.tax_by_rate -> RateTotals, highest rate first."""
    out = []
    for rate, (amount, tax) in sorted(per_rate.items(), reverse=True):
        gross, base = (amount, amount - tax) if prices_include_tax else (amount + tax, amount)
        out.append(RateTotal(rate, gross, base, tax, is_reduced(rate, japan)))
    return out


def negative(totals: list[RateTotal]) -> list[RateTotal]:
    """The same totals as a credit (refund): every amount negative."""
    return [RateTotal(t.rate, -t.gross_minor, -t.base_minor, -t.tax_minor, t.reduced) for t in totals]


def _clean(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip()
    return " ".join(value.split())


#: fulfilment states in which a cash-on-delivery order has been handed over (and so paid)
HANDED_OVER = frozenset({"delivered", "picked_up", "returned"})


def receipt_refusal(*, cancelled: bool, payment_status: str, method: str, fulfillment_status: str) -> str | None:
    """Why the order has no receipt (yet), or None when it has one: a receipt (領収書) is for money
    received. Paid (or since refunded) -> a receipt; cash on delivery -> once delivered; a payment
    still pending or only authorized -> none (the order confirmation instead); cancelled or voided -> none
    (a receipt issued before the cancellation stays on record, and its refund gets a credit note)."""
    if cancelled or payment_status == payment_rules.VOIDED:
        return ORDER_CANCELLED
    if payment_status in payment_rules.RECEIVED:
        return None
    if payment_rules.is_cod(method) and fulfillment_status in HANDED_OVER:
        return None
    return NOT_DELIVERED if payment_rules.is_cod(method) else NOT_PAID


def order_receipt_refusal(order: Any) -> str | None:
    """receipt_refusal for an order read by attribute (OrderView): cancelled, payment_status,
    payment (its method), fulfillment_status."""
    return receipt_refusal(cancelled=bool(order.cancelled), payment_status=order.payment_status,
                           method=(order.payment or {}).get("method") or payment_rules.CARD,
                           fulfillment_status=order.fulfillment_status)


def receipt_available(*, cancelled: bool, payment_status: str, method: str, fulfillment_status: str) -> bool:
    return receipt_refusal(cancelled=cancelled, payment_status=payment_status, method=method,
                           fulfillment_status=fulfillment_status) is None


def confirmation_available(*, cancelled: bool, payment_status: str, method: str, fulfillment_status: str) -> bool:
    """The order confirmation (注文確認書) stands in for the receipt while the money is on its way."""
    return receipt_refusal(cancelled=cancelled, payment_status=payment_status, method=method,
                           fulfillment_status=fulfillment_status) in (NOT_PAID, NOT_DELIVERED)


def transaction_at(paid_at: Any, placed_at: Any) -> Any:
    """The date of the original transaction a receipt or credit note names: when the money arrived
    (paid_at), else when the order was placed."""
    return paid_at or placed_at


def taxable_minor(total: RateTotal, prices_include_tax: bool) -> int:
    """The figure a per-rate line calls the taxable amount (「10%対象 ¥1,400」): tax included when the
    prices include it, else the base."""
    return total.gross_minor if prices_include_tax else total.base_minor


def refund_by_rate(totals: list[RateTotal], amount_minor: int) -> list[RateTotal]:
    """A refund of `amount_minor` (what the shopper gets back, tax included) split over the order's
    tax rates in proportion to what was paid at each, the tax refunded in the same proportion as
    each rate's tax; the parts add up to the amount exactly (money.prorate)."""
    grosses = [t.gross_minor for t in totals]
    parts = money.prorate(amount_minor, grosses)
    out = []
    for t, part in zip(totals, parts, strict=True):
        tax = money.round_minor(Decimal(part) * t.tax_minor / t.gross_minor) if t.gross_minor else 0
        out.append(RateTotal(t.rate, part, part - tax, tax, t.reduced))
    return out


def by_rate_json(totals: list[RateTotal]) -> list[dict[str, Any]]:
    return [{"rate": str(t.rate), "gross_minor": t.gross_minor, "base_minor": t.base_minor, "tax_minor": t.tax_minor,
             "reduced": t.reduced} for t in totals]


def by_rate_of(rows: list[dict[str, Any]]) -> list[RateTotal]:
    return [RateTotal(Decimal(r["rate"]), int(r["gross_minor"]), int(r["base_minor"]), int(r["tax_minor"]),
                      bool(r.get("reduced"))) for r in rows]


def counterparty(customer: dict[str, Any], addressee: str = "") -> str:
    """Who a document was issued to, for the issue log: the 領収書's 宛名 when it names one, else the
    shopper's name, else their email."""
    return (addressee or str(customer.get("name") or "") or str(customer.get("email") or ""))[:200]


def read_formal(form: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """宛名 (addressee) and 但し書き (purpose) from the 領収書 form -> (values, coded field errors)."""
    errors: list[dict[str, Any]] = []
    out = {}
    for key, limit in FORMAL_LIMITS.items():
        required = key == "addressee"
        raw = form.get(key, "")
        if not isinstance(raw, str):
            errors.append(field_error(key, NOT_PRINTABLE))
            out[key] = ""
            continue
        if len(raw) > limit * 4:
            errors.append(field_error(key, TOO_LONG, limit=limit))
            out[key] = ""
            continue
        value = _clean(raw)
        if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in value):
            errors.append(field_error(key, NOT_PRINTABLE))
        elif required and not value:
            errors.append(field_error(key, ADDRESSEE_REQUIRED))
        elif len(value) > limit:
            errors.append(field_error(key, TOO_LONG, limit=limit))
        out[key] = value
    return out, errors


def document_key(kind: str, *, order_id: int, order_version: int, merchant_version: int, locale: str,
                 reissue: bool, number: int | None = None, extra: dict[str, Any] | None = None) -> str:
    """The cache key: everything a finished document shows (besides what those versions cover)."""
    payload = {
        "t": TEMPLATE_VERSION, "kind": kind, "order": order_id, "ov": order_version, "mv": merchant_version,
        "locale": locale, "reissue": reissue, "number": number, "extra": extra or {},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def receipt_number_label(number: int) -> str:
    return f"R-{number:06d}"


def credit_number_label(number: int) -> str:
    return f"C-{number:06d}"


# -- the issue log's search ---------------------------------------------------------------------------

LOG_KINDS = (RECEIPT, REFUND_CREDIT)
MAX_COUNTERPARTY_SEARCH = 100


@dataclass(frozen=True)
class LogSearch:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    counterparty: str = ""


def read_log_search(params: dict[str, str], currency: str) -> tuple[LogSearch, list[dict[str, str]]]:
    """The issue log's filters from a query string: dates (YYYY-MM-DD, inclusive), amounts in the
    merchant's currency, a part of the counterparty's name -> (search, field errors)."""
    errors: list[dict[str, str]] = []
    values: dict[str, Any] = {}
    for key in ("date_from", "date_to"):
        raw = (params.get(key) or "").strip()
        if raw:
            try:
                values[key] = dt.date.fromisoformat(raw)
            except ValueError:
                errors.append({"field": key, "code": LOG_BAD_DATE, "message": "must be a date like 2026-12-31"})
    for key in ("amount_min", "amount_max"):
        raw = (params.get(key) or "").strip().replace(",", "")
        if raw:
            try:
                values[key] = money.parse(raw, currency)
            except money.MoneyError:
                errors.append({"field": key, "code": LOG_BAD_AMOUNT, "message": "must be an amount like 1200"})
    if values.get("date_from") and values.get("date_to") and values["date_from"] > values["date_to"]:
        errors.append({"field": "date_to", "code": LOG_RANGE, "message": "must not be before the start date"})
    text = _clean(params.get("counterparty") or "")[:MAX_COUNTERPARTY_SEARCH]
    return LogSearch(values.get("date_from"), values.get("date_to"), values.get("amount_min"),
                     values.get("amount_max"), text), errors
