"""Pure decisions about documents: what a receipt shows, per-rate totals rounded once per rate,
the reduced-rate mark, the 領収書 fields, and the cache key of a finished document."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orderhub.db.orders import rules as order_rules

#: bump when a template or the print stylesheet changes what a document shows
TEMPLATE_VERSION = 3
#: Japan's reduced consumption tax rate (food, newspapers): marked ※ on qualified invoices
REDUCED_RATES_JP = frozenset({Decimal("0.08")})
MAX_ADDRESSEE = 60
MAX_PURPOSE = 60
#: the documents: an order's receipt, and a return's credit note and mail slip
RECEIPT, CREDIT_NOTE, RETURN_SLIP = "receipt", "credit", "slip"
#: the issue log: the first issue of the 領収書 original, then reissues (再発行)
ISSUE, REISSUE = "issue", "reissue"
FORMAL = "formal"
#: the 領収書 form's fields and their lengths (the page shows them; read_formal enforces them)
FORMAL_LIMITS = {"addressee": MAX_ADDRESSEE, "purpose": MAX_PURPOSE}

# -- refusals: stable codes (pages word them through orderhub.site.messages.documents) ---------

ORDER_CANCELLED = "receipt.order_cancelled"
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


def receipt_available(cancelled: bool) -> bool:
    """A cancelled order has no receipt."""
    return not cancelled


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
