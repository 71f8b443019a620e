"""Exchanges for something else (issue 20 item 5): pure decisions, no I/O.

The shopper sends items back and chooses any in-stock variants of the merchant's catalog instead.
What the returned items are worth (`exchange_value`: their refundable value, as a refund would give
it, never more than is left to refund), the merchant's credit bonus (`exchange_bonus`: the store
credit bonus, since an exchange spends the value as credit), and who pays what (`settle`) are decided
here once; the wizard, the return page, the admin, the emails, the webhook and the API show these
figures as stored.

Who pays: the bonus is spent first (it never becomes cash), then the returned value. A cheaper choice
gives back what is left of the value (refunded to the payment when the replacement goes out); a
dearer one leaves a difference the storefront collects (a payment URL it answers with, or "paid").
The replacement ships only once nothing is left to pay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from orderhub import money
from orderhub.db.returns import rules
from orderhub.db.validation import AreaErrors

#: the draft key of the wizard: [{"product_id", "sku", "quantity"}]
DRAFT_KEY = "exchange_for"
#: the resolution step's answer that means "exchange for something else" (stored as an exchange)
CHOICE = "exchange_other"
#: products per page of the catalog browser
PER_PAGE = 8
MAX_QUERY = 100
MAX_PICKS = 10
MAX_UNITS = 20
MAX_URL = 2000
#: characters a URL never carries unencoded (RFC 3986): refused rather than trusted to escaping
UNSAFE_URL_CHARS = frozenset('<>"\'`{}|^\\')

#: the difference's payment: nothing to pay, waiting for the storefront's payment URL, due (URL given), paid;
#: withdrawn when the return was cancelled, rejected or expired before the difference was paid (nothing is
#: charged), refunded when it was withdrawn after (the paid difference goes back to the shopper, once)
NOT_NEEDED, AWAITING_LINK, DUE, PAID, WITHDRAWN = "not_needed", "awaiting_link", "due", "paid", "withdrawn"
REFUNDED = "refunded"
PAYMENT_STATES = (NOT_NEEDED, AWAITING_LINK, DUE, PAID, WITHDRAWN, REFUNDED)
#: states a withdrawal leaves as they are (a second withdrawal path, a retried job)
FINAL_STATES = frozenset({WITHDRAWN, REFUNDED})
#: which way the difference goes
COLLECT, REFUND, EVEN = "collect", "refund", "even"

# -- refusals ---------------------------------------------------------------------------------------

NOTHING_CHOSEN = "exchange.nothing_chosen"
NOT_IN_CATALOG = "exchange.not_in_catalog"
TOO_MANY = "exchange.too_many"
BAD_URL = "exchange.bad_payment_url"
BAD_STATUS = "exchange.bad_status"
ONE_OF = "exchange.one_of"
NOT_AN_EXCHANGE = "exchange.not_for_something_else"
NOTHING_TO_PAY = "exchange.nothing_to_pay"
ALREADY_PAID = "exchange.already_paid"
UNPAID = "exchange.unpaid"
CLOSED = "exchange.closed"

MESSAGES: dict[str, str] = {
    NOTHING_CHOSEN: "choose at least one item",
    NOT_IN_CATALOG: "is not an in-stock item of this shop",
    TOO_MANY: "at most {limit}",
    BAD_URL: "must be an https URL (at most 2000 characters, no spaces or credentials)",
    BAD_STATUS: 'must be "paid"',
    ONE_OF: 'send either "payment_url" or "status"',
    rules.NOT_AN_OBJECT: 'must be an object such as {{"payment_url": "https://..."}}',
}
field_error = AreaErrors(MESSAGES)


# -- the catalog ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class VariantChoice:
    sku: str
    option: str
    price_minor: int
    #: units that can still be promised (None: the catalog gives no count)
    free: int | None


def in_stock_variants(variants: Sequence[Mapping[str, Any]], held: Mapping[str, int],
                      currency: str) -> list[VariantChoice]:
    """The variants a shopper may choose: in stock, a price in the currency, a unit still free
    (units held for other exchanges and replacements count as gone)."""
    out = []
    for v in variants:
        sku = v.get("sku")
        if not isinstance(sku, str) or not sku or not v.get("in_stock", True):
            continue
        try:
            price = money.parse(v.get("price", ""), currency)
        except money.MoneyError:
            continue
        stock = v.get("stock")
        free = None if stock is None else max(0, int(stock) - int(held.get(sku, 0)))
        if free == 0:
            continue
        out.append(VariantChoice(sku, str(v.get("option") or ""), price, free))
    return out


def clean_query(raw: object) -> str:
    """What the shopper searched for: text, trimmed, at most MAX_QUERY characters."""
    return raw.strip()[:MAX_QUERY] if isinstance(raw, str) else ""


def matches(query: str, names: Sequence[str]) -> bool:
    """A product matches when every word of the query is in one of its names (any language, any case)."""
    words = query.casefold().split()
    hay = " ".join(n for n in names if n).casefold()
    return all(w in hay for w in words)


# -- money ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pick:
    """A chosen variant, priced from the catalog."""

    product_id: str
    sku: str
    title: str
    option: str
    quantity: int
    unit_price_minor: int
    image_url: str = ""
    #: the title and this variant's label in Japanese and English: {"title": {..}, "option": {..}}
    texts: Mapping[str, Any] = field(default_factory=dict)
    #: the line's amount, tax included, and its tax (`pick_amount`, set by `priced`: what every page,
    #: email, the API and the webhook show for the line; the lines add up to `Settlement.new_total_minor`)
    amount_minor: int | None = None
    tax_minor: int = 0

    def stored(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "sku": self.sku, "title": self.title, "option": self.option,
                "quantity": self.quantity, "unit_price_minor": self.unit_price_minor, "image_url": self.image_url,
                "texts": dict(self.texts), "amount_minor": self.amount_minor, "tax_minor": self.tax_minor}

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Pick:
        texts = raw.get("texts")
        amount = raw.get("amount_minor")
        return cls(str(raw["product_id"]), str(raw["sku"]), str(raw.get("title") or ""), str(raw.get("option") or ""),
                   int(raw["quantity"]), int(raw["unit_price_minor"]), str(raw.get("image_url") or ""),
                   texts if isinstance(texts, dict) else {}, int(amount) if amount is not None else None,
                   int(raw.get("tax_minor") or 0))

    @property
    def line_minor(self) -> int:
        """The line's amount as shown: the priced amount (stored since it exists), else, for an exchange
        stored before, the catalog price times the units."""
        return self.amount_minor if self.amount_minor is not None else self.unit_price_minor * self.quantity


def pick_texts(product_texts: Mapping[str, Any], sku: str) -> dict[str, Any]:
    """A chosen variant's words in both languages, from its product's texts (orderhub.db.texts shape)."""
    options = product_texts.get("options") if isinstance(product_texts.get("options"), Mapping) else {}
    title = product_texts.get("title")
    option = (options or {}).get(sku)
    return {"title": dict(title) if isinstance(title, Mapping) else {},
            "option": dict(option) if isinstance(option, Mapping) else {}}


def exchange_value(breakdown: rules.Breakdown, left_to_refund_minor: int) -> int:
    """What the returned items are worth: goods and their tax as a refund would give them back (no
    fee: exchanges are free), never more than is left to refund on the order."""
    return max(0, min(breakdown.part("items") + breakdown.part("tax"), left_to_refund_minor))


def exchange_bonus(value_minor: int, policy: Mapping[str, Any]) -> int:
    """The merchant's credit bonus on the value (the store credit bonus: an exchange spends the
    value as credit), 0 when the merchant offers none."""
    pct = rules.store_credit_bonus_percent(dict(policy))
    return value_minor * pct // 100 if rules.offers_bonus(rules.STORE_CREDIT, pct) else 0


@dataclass(frozen=True)
class Settlement:
    """Who pays what for an exchange (minor units of `currency`)."""

    currency: str
    value_minor: int
    bonus_minor: int
    #: the chosen items, tax included
    new_total_minor: int
    #: the tax in (inclusive prices) or on top of (exclusive) the chosen items
    new_tax_minor: int
    #: the part of the bonus the chosen items use
    bonus_used_minor: int
    #: what the shopper pays on top (collected by the storefront)
    to_pay_minor: int
    #: what the shopper gets back (to the original payment)
    refund_minor: int
    #: the chosen items priced (`priced`), when settled now (not part of the stored settlement: the
    #: stored exchange keeps them as its items)
    picks: tuple[Pick, ...] = field(default=(), compare=False)

    @property
    def budget_minor(self) -> int:
        return self.value_minor + self.bonus_minor

    @property
    def direction(self) -> str:
        return COLLECT if self.to_pay_minor else REFUND if self.refund_minor else EVEN

    def stored(self) -> dict[str, int | str]:
        return {"currency": self.currency, "value_minor": self.value_minor, "bonus_minor": self.bonus_minor,
                "new_total_minor": self.new_total_minor, "new_tax_minor": self.new_tax_minor,
                "bonus_used_minor": self.bonus_used_minor, "to_pay_minor": self.to_pay_minor,
                "refund_minor": self.refund_minor}


def pick_amount(pick: Pick, *, prices_include_tax: bool, tax_rate: Decimal) -> tuple[int, int]:
    """(amount tax included, tax) of a chosen variant line: catalog prices are the merchant's prices
    (tax included or not, as its orders); the tax is that of the returned items' rate."""
    net = pick.unit_price_minor * pick.quantity
    if prices_include_tax:
        return net, money.round_minor(Decimal(net) * tax_rate / (1 + tax_rate))
    tax = money.round_minor(Decimal(net) * tax_rate)
    return net + tax, tax


def priced(picks: Sequence[Pick], *, prices_include_tax: bool, tax_rate: Decimal) -> tuple[Pick, ...]:
    """Each chosen line with its amount and tax (`pick_amount`), computed once here."""
    out = []
    for p in picks:
        amount, tax = pick_amount(p, prices_include_tax=prices_include_tax, tax_rate=tax_rate)
        out.append(replace(p, amount_minor=amount, tax_minor=tax))
    return tuple(out)


def settle(value_minor: int, bonus_minor: int, picks: Sequence[Pick], *, currency: str, prices_include_tax: bool,
           tax_rate: Decimal) -> Settlement:
    """The bonus is spent first (never paid out), then the value; the rest is refunded or collected. The
    new items' total is the sum of the priced lines (`Settlement.picks`)."""
    lines = priced(picks, prices_include_tax=prices_include_tax, tax_rate=tax_rate)
    total = sum(p.line_minor for p in lines)
    tax = sum(p.tax_minor for p in lines)
    bonus_used = min(bonus_minor, total)
    from_value = total - bonus_used
    return Settlement(currency, value_minor, bonus_minor, total, tax, bonus_used,
                      to_pay_minor=max(0, from_value - value_minor), refund_minor=max(0, value_minor - from_value),
                      picks=lines)


def returned_tax_rate(breakdown: rules.Breakdown) -> Decimal:
    """The rate the chosen items are taxed at: that of the returned items' largest amount."""
    if not breakdown.items:
        return Decimal(0)
    return max(breakdown.items, key=lambda a: a.amount_minor).tax_rate


def settlement_of(stored: Mapping[str, Any]) -> Settlement:
    return Settlement(str(stored["currency"]), int(stored["value_minor"]), int(stored["bonus_minor"]),
                      int(stored["new_total_minor"]), int(stored["new_tax_minor"]), int(stored["bonus_used_minor"]),
                      int(stored["to_pay_minor"]), int(stored["refund_minor"]))


# -- the difference's payment -------------------------------------------------------------------------

def first_payment_state(to_pay_minor: int) -> str:
    return AWAITING_LINK if to_pay_minor > 0 else NOT_NEEDED


def shows_pay_button(state: str, payment_url: str) -> bool:
    """The hub shows "Pay the difference" while a payment URL waits to be used."""
    return state == DUE and bool(payment_url)


def can_ship(state: str) -> bool:
    """The replacement goes out only once nothing is left to pay."""
    return state in (NOT_NEEDED, PAID)


def after_withdrawal(state: str) -> str:
    """The payment state once the return was withdrawn: a paid difference is refunded (we give it back
    through the order's payment), anything else is withdrawn; a state already final stays."""
    if state in FINAL_STATES:
        return state
    return REFUNDED if state == PAID else WITHDRAWN


def exchange_refund(number: str, state: str, refund_minor: int, difference_refunded_minor: int, currency: str,
                    refunded_at: dt.datetime | None) -> rules.Refund | None:
    """The money an exchange gave back, as the order page's refunds list shows it: a paid difference
    refunded because the return was withdrawn (`state` REFUNDED), else a cheaper choice's difference
    refunded when the replacement went out (the amounts `difference_note` states); None before."""
    amount = difference_refunded_minor if state == REFUNDED else refund_minor
    if refunded_at is None or amount <= 0:
        return None
    return rules.Refund(number, amount, currency, rules.TO_PAYMENT, refunded_at)


def withdrawal_refund(state: str, to_pay_minor: int) -> int:
    """What a withdrawal gives back of the difference: all of it once paid, nothing otherwise (the
    payments area's cap still applies, payments.rules.refund_left)."""
    return max(0, to_pay_minor) if state == PAID and after_withdrawal(state) == REFUNDED else 0


def repeats_paid(state: str, answer: str) -> bool:
    """The storefront says "paid" again for a difference already paid (or paid, then refunded): a
    repeat, nothing changes."""
    return answer == PAID and state in (PAID, REFUNDED)


#: what the admin's queue row and detail say about the difference (difference_note)
OWED, PAID_IN, REFUND_DUE, GIVEN_BACK = "owed", "paid", "refund_due", "refunded"


def difference_note(settlement: Settlement, state: str, *, refunded: bool,
                    difference_refunded_minor: int) -> tuple[str, int] | None:
    """(what happened to the difference, its amount) for the merchant: owed by the shopper, paid,
    to be refunded (a cheaper choice, when the replacement goes out) or refunded (a cheaper choice's
    once sent; a paid difference once the return was withdrawn); None when there is none (an even
    exchange, or one withdrawn before anything was paid)."""
    if state == REFUNDED:
        return GIVEN_BACK, difference_refunded_minor
    if state == WITHDRAWN:
        return None
    if settlement.to_pay_minor:
        return (PAID_IN if state == PAID else OWED), settlement.to_pay_minor
    if settlement.refund_minor:
        return (GIVEN_BACK if refunded else REFUND_DUE), settlement.refund_minor
    return None


def payment_tone(state: str) -> str:
    return {DUE: "warn", AWAITING_LINK: "info", PAID: "good", REFUNDED: "info"}.get(state, "muted")


def check_payment_url(url: object) -> bool:
    """An https URL with a host, no credentials, no spaces, control or unsafe characters, at most MAX_URL."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        return False
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c in UNSAFE_URL_CHARS for c in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError:
        return False
    del port
    return parts.scheme == "https" and bool(parts.hostname) and parts.username is None and parts.password is None


def payment_refusal(state: str, to_pay_minor: int, return_status: str) -> str | None:
    """Why the storefront may not set the payment now (a code), or None."""
    if to_pay_minor <= 0:
        return NOTHING_TO_PAY
    if rules.withdrawn(return_status) or return_status in (rules.CLOSED, rules.EXCHANGED) or state in FINAL_STATES:
        return CLOSED
    return None


def next_payment(state: str, body: Mapping[str, Any]) -> tuple[str, str] | list[dict[str, Any]]:
    """The storefront's answer -> (new state, payment URL or "") or the field errors. A URL sets
    the payment due (a new URL replaces the old one while unpaid); "paid" settles it for good."""
    url, status = body.get("payment_url"), body.get("status")
    if (url is None) == (status is None):
        return [field_error("body", ONE_OF)]
    if status is not None:
        if status != PAID:
            return [field_error("status", BAD_STATUS)]
        return PAID, ""
    if not check_payment_url(url):
        return [field_error("payment_url", BAD_URL)]
    assert isinstance(url, str)
    return DUE, url


def draft_order(*, return_id: int, number: str, order_number: str, hub_url: str, picks: Sequence[Pick],
                settlement: Settlement, prices_include_tax: bool, tax_rate: Decimal) -> dict[str, Any]:
    """The `exchange.created` webhook's draft order: what the storefront creates and, for a dearer
    choice, collects the difference of (money as decimal strings)."""
    cur = settlement.currency

    def show(minor: int) -> str:
        return money.to_string(minor, cur)

    lines = []
    for p in picks:
        if p.amount_minor is None:
            amount, tax = pick_amount(p, prices_include_tax=prices_include_tax, tax_rate=tax_rate)
        else:
            amount, tax = p.amount_minor, p.tax_minor
        lines.append({"product_id": p.product_id, "sku": p.sku, "title": p.title, "option": p.option or None,
                      "quantity": p.quantity, "unit_price": show(p.unit_price_minor), "amount": show(amount),
                      "tax": show(tax), "tax_rate": str(tax_rate)})
    return {
        "return_id": return_id, "number": number, "order_number": order_number, "hub_url": hub_url,
        "draft_order": {"currency": cur, "prices_include_tax": prices_include_tax, "lines": lines,
                        "total": show(settlement.new_total_minor), "tax": show(settlement.new_tax_minor),
                        "credit": show(settlement.value_minor), "bonus": show(settlement.bonus_used_minor),
                        "difference_to_pay": show(settlement.to_pay_minor),
                        "difference_refunded": show(settlement.refund_minor)},
        "payment": {"status": first_payment_state(settlement.to_pay_minor),
                    "answer_with": f"PUT /api/v1/returns/{return_id}/exchange"},
    }
