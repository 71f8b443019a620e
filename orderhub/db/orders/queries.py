"""Reads shaped for pages: the hub's confirmation, cross-sells, links, the lookup."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

from orderhub import money
from orderhub.db import engine, statements, texts
from orderhub.db.branding import rules as brand_rules
from orderhub.db.keys import scoped
from orderhub.db.merchants import rules as merchant_rules
from orderhub.db.merchants.tables import Merchant, Store
from orderhub.db.orders import change_rules, rules
from orderhub.db.orders.tables import Order, OrderLine, Product
from orderhub.db.payments import rules as payment_rules
from orderhub.db.pickup.tables import Pickup
from orderhub.db.point_reads import PointRead
from orderhub.db.shipping.tables import Shipment
from orderhub.db.tokens import hub_token, opens, token_hash, well_formed


@dataclass(frozen=True)
class BrandView:
    name: str
    logo_url: str
    primary: str
    accent: str
    on_primary: str
    on_accent: str
    font_stack: str
    radius: str
    support: dict[str, Any]
    storefront_url: str
    locale: str
    timezone: str
    #: the brand's font is a web font (pages load /brand/fonts.css)
    web_font: bool = False
    #: the merchant's words per language (orderhub.db.texts): name, support hours
    texts: dict[str, Any] = field(default_factory=dict)
    #: `in_language`'s answers so far (a BrandView is kept per merchant version, and never changed)
    _languages: dict[str, BrandView] = field(default_factory=dict, compare=False, repr=False)

    def in_language(self, lang: str) -> BrandView:
        """The brand as a page in `lang` shows it: the merchant's name and support hours in that
        language (`support["hours"]` becomes a texts.Localized, which prints as its text): the
        merchant's own words, worked out once per language."""
        kept = self._languages.get(lang)
        if kept is None:
            support = dict(self.support)
            hours = texts.pick(self.texts, "support_hours", lang, support.get("hours") or "")
            if hours:
                support["hours"] = hours
            kept = self._languages[lang] = replace(self, name=texts.text(self.texts, "name", lang, self.name),
                                                   support=support, _languages={})
        return kept

    @classmethod
    def of(cls, merchant: Merchant) -> BrandView:
        brand = cast(dict[str, Any], merchant.brand or {})
        theme = brand_rules.theme(brand)
        return cls(
            name=merchant.name,
            logo_url=brand.get("logo_url", ""),
            primary=theme.primary,
            accent=theme.accent,
            on_primary=theme.on_primary,
            on_accent=theme.on_accent,
            font_stack=theme.font.family,
            radius=theme.corner.radius,
            support=cast(dict[str, Any], merchant.support or {}),
            storefront_url=merchant.storefront_url or "",
            locale=merchant.locale,
            timezone=merchant.timezone,
            web_font=theme.font.web,
            texts=cast(dict[str, Any], merchant.texts or {}),
        )


async def brand_for_slug(slug: str) -> BrandView | None:
    """The brand of the merchant with this slug (for its stylesheet), or None."""
    async with engine.read():
        merchant = await Merchant.objects().output(load_json=True).where(Merchant.slug == slug).first()
    return BrandView.of(merchant) if merchant is not None else None


@dataclass(frozen=True)
class LookupBrand:
    """The merchant whose link led to /lookup: its brand, and its orders only."""

    merchant_id: int
    slug: str
    version: int
    brand: BrandView


async def lookup_brand(slug: str) -> LookupBrand | None:
    """The merchant with this slug, or None for anything else (unknown, malformed, hostile)."""
    if not (slug and len(slug) <= 64 and slug.isascii() and merchant_rules.slug_ok(slug)):
        return None
    async with engine.read():
        merchant = await Merchant.objects().output(load_json=True).where(Merchant.slug == slug).first()
    if merchant is None:
        return None
    return LookupBrand(merchant.id, merchant.slug, merchant.version or 1, BrandView.of(merchant))


@dataclass(frozen=True)
class LineView:
    line_id: str
    title: str
    variant: str
    quantity: int
    unit_price_minor: int
    discount_minor: int
    amount_minor: int
    tax_rate: Decimal
    final_sale: bool
    image_url: str
    product_id: str
    #: title and variant per language, from the catalog (rules.line_texts); {} when unknown
    texts: dict[str, Any] = field(default_factory=dict)
    #: units cancelled before shipment (orderhub/db/orders/cancellation.py)
    cancelled_quantity: int = 0

    @property
    def fully_cancelled(self) -> bool:
        return self.cancelled_quantity >= self.quantity

    @property
    def kept_quantity(self) -> int:
        """Units the shopper still gets (ordered minus cancelled)."""
        return max(0, self.quantity - self.cancelled_quantity)
    #: units waiting for stock and when they are expected to ship (rules.line_backorder); None: none wait
    backorder: rules.Backorder | None = None


@dataclass(frozen=True)
class StoreView:
    code: str
    name: str
    timezone: str
    address: dict[str, Any]
    hours: list[Any]
    pickup_instructions: str
    what_to_bring: list[Any]
    curbside: dict[str, Any]
    hold_days: int
    #: name, pickup instructions, what to bring, hours note, curbside instructions per language
    texts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderView:
    id: int
    merchant_id: int
    external_id: str
    number: str
    placed_at: dt.datetime
    currency: str
    locale: str
    timezone: str
    prices_include_tax: bool
    greeting_name: str
    masked_email: str
    address: dict[str, Any] | None
    fulfillment_type: str
    fulfillment_status: str
    promised_date: dt.date | None
    processing_days: int
    lines: list[LineView]
    discounts: list[dict[str, Any]]
    subtotal_minor: int
    discount_minor: int
    shipping_minor: int
    tax_minor: int
    total_minor: int
    tax_by_rate: dict[Decimal, tuple[int, int]]
    payment: dict[str, Any]
    cancel_until: dt.datetime
    cancelled: bool
    return_window_days: int
    customer_tags: list[str]
    store: StoreView | None
    version: int
    #: the payment's state (orderhub.db.payments.rules): status, when paid, the deadline of a pending
    #: konbini / bank payment, and what was refunded
    payment_status: str = "paid"
    paid_at: dt.datetime | None = None
    payment_deadline: dt.datetime | None = None
    refunded_minor: int = 0
    #: the shopper's delivery time slot, date and safe place (change_rules.delivery)
    delivery: dict[str, Any] = field(default_factory=lambda: change_rules.delivery(None))

    @property
    def awaiting_payment(self) -> bool:
        """A konbini or bank transfer not paid yet (payments.rules.awaiting_payment)."""
        return payment_rules.awaiting_payment(str(self.payment.get("method") or payment_rules.CARD),
                                              self.payment_status)

    @property
    def ships(self) -> bool:
        """Sent by carrier (the hub has a tracking section)."""
        return self.fulfillment_type == rules.SHIP

    @property
    def is_pickup(self) -> bool:
        """Collected at a store (the hub has a pickup section)."""
        return self.fulfillment_type == rules.PICKUP

    def can_cancel(self, now: dt.datetime) -> bool:
        return rules.can_cancel(self.cancelled, self.cancel_until, now)

    @property
    def kept_lines(self) -> list[LineView]:
        """The lines the shopper still gets: a fully cancelled line leaves reviews, returns and cross-sells."""
        return [ln for ln in self.lines if not ln.fully_cancelled]

    @property
    def item_count(self) -> int:
        return sum(ln.quantity for ln in self.lines)

    @property
    def final_sale_count(self) -> int:
        return sum(1 for ln in self.lines if ln.final_sale)


@dataclass(frozen=True)
class Hub:
    """Everything every hub page needs: the merchant's brand and the order."""

    token: str
    merchant: Merchant
    brand: BrandView
    order: OrderView
    extras: dict[str, Any] = field(default_factory=dict)
    #: when the link stops opening the hub (None: never); rules.link_expires_at
    link_expires_at: dt.datetime | None = None
    #: the rows the hub was read from (HUB_ORDER's order row, its lines as LINE_COLUMNS maps them), so
    #: that the order page's other parts (cancellation, delivery changes) need not read them again
    rows: HubRows | None = None


@dataclass(frozen=True)
class HubRows:
    order: dict[str, Any]
    lines: list[dict[str, Any]]


async def order_for_token(token: str, token_key: bytes) -> Order | None:
    """The order a hub token opens, or None for unknown, revoked and malformed tokens alike."""
    if not well_formed(token):
        return None
    order = await Order.objects().output(load_json=True).where(Order.token_hash == token_hash(token)).first()
    if order is None:
        return None
    return order if opens(token, token_key, order.key, order.token_generation) else None


def _order_view(order: Any, lines: list[Any], merchant: Merchant, store: Any,
                products: dict[str, dict[str, Any]] | None = None) -> OrderView:
    """The order as every hub page sees it, from rows read by attribute (Piccolo objects or the
    fixed statements' rows); `products`: the texts of the products its lines name."""
    per_rate = rules.order_tax_by_rate(lines, order.discount_minor, order.shipping_minor, order.shipping_tax_rate,
                                       bool(order.prices_include_tax))
    ful = cast(dict[str, Any], order.fulfillment or {})
    policy = cast(dict[str, Any], merchant.policy or {})
    customer = cast(dict[str, Any], order.customer or {})
    return OrderView(
        id=order.id,
        merchant_id=merchant.id,
        external_id=order.external_id,
        number=order.number,
        placed_at=order.placed_at,
        currency=order.currency,
        locale=order.locale,
        timezone=merchant.timezone,
        prices_include_tax=bool(order.prices_include_tax),
        greeting_name=rules.first_name(customer.get("name", ""), order.locale),
        masked_email=rules.mask_email(customer.get("email", "")),
        address=rules.masked_address(cast("dict[str, Any] | None", order.shipping_address)),
        fulfillment_type=order.fulfillment_type,
        fulfillment_status=order.fulfillment_status,
        promised_date=order.promised_date,
        processing_days=int(ful.get("processing_days") or 0),
        lines=[
            LineView(
                line_id=ln.line_id, title=ln.title, variant=ln.variant, quantity=ln.quantity,
                unit_price_minor=ln.unit_price_minor, discount_minor=ln.discount_minor,
                amount_minor=ln.quantity * ln.unit_price_minor - ln.discount_minor,
                tax_rate=Decimal(ln.tax_rate), final_sale=bool(ln.final_sale), image_url=ln.image_url,
                product_id=ln.product_id,
                texts=rules.line_texts(ln.title, ln.variant, ln.sku, (products or {}).get(ln.product_id)),
                cancelled_quantity=int(ln.cancelled_quantity or 0),
                backorder=rules.line_backorder(ln.quantity - int(ln.cancelled_quantity or 0),
                                               ln.fulfilled_quantity, ln.backordered_quantity,
                                               ln.expected_ship_date),
            )
            for ln in lines
        ],
        discounts=cast(list[dict[str, Any]], order.discounts or []),
        subtotal_minor=order.subtotal_minor,
        discount_minor=order.discount_minor,
        shipping_minor=order.shipping_minor,
        tax_minor=order.tax_minor,
        total_minor=order.total_minor,
        tax_by_rate=per_rate,
        payment=cast(dict[str, Any], order.payment or {}),
        cancel_until=rules.cancel_deadline(order.placed_at, policy),
        cancelled=rules.is_cancelled(order.cancelled_at, order.fulfillment_status),
        return_window_days=rules.return_window_days(policy, customer.get("tags", [])),
        customer_tags=list(customer.get("tags", [])),
        store=StoreView(
            code=store.code, name=store.name, timezone=store.timezone, address=cast(dict[str, Any], store.address),
            hours=cast(list[Any], store.hours), pickup_instructions=store.pickup_instructions,
            what_to_bring=cast(list[Any], store.what_to_bring), curbside=cast(dict[str, Any], store.curbside),
            hold_days=store.hold_days, texts=cast(dict[str, Any], store.texts or {}),
        ) if store else None,
        version=order.version,
        payment_status=order.payment_status or "paid",
        paid_at=order.paid_at,
        payment_deadline=order.payment_deadline,
        refunded_minor=int(order.refunded_minor or 0),
        delivery=change_rules.delivery(cast("dict[str, Any] | None", order.delivery)),
    )


# The hub's hot reads as fixed statements (orderhub.db.statements): the order a token opens with its
# merchant's version (also the page cache's stamp, orderhub.db.orders.versions), its lines, its store.
ORDER_COLUMNS = statements.columns(Order, "o")
LINE_COLUMNS = statements.columns(OrderLine, "l")
MERCHANT_COLUMNS = statements.columns(Merchant, "m")
STORE_COLUMNS = statements.columns(Store, "s")
_ORDER_FROM = (f"SELECT {ORDER_COLUMNS.select}, m.version AS merchant_version, m.locale AS merchant_locale "
               "FROM orders o JOIN merchants m ON m.id = o.merchant")
HUB_ORDER = statements.Statement(f"{_ORDER_FROM} WHERE o.token_hash = ?")
#: the page cache's stamp of a token (every hub request's first read, outside any scope): only what
#: its key, the token check and the link's expiry need (`link_expiry`), not the whole row (a cached
#: page needs no more; converting the whole row's columns was half of a cache hit's read); batched on
#: PostgreSQL with the other stamps of the same moment
_STAMP_COLUMNS = ("id", "merchant", "locale", "key", "token_generation", "hub_version", "placed_at",
                  "link_issued_at", "fulfillment_status", "cancelled_at",
                  # not decoded on a hit: what a miss's page reads are keyed on besides the ids
                  # (`load_hub`: the pickup store's code, the shopper's email key for the survey card)
                  "fulfillment", "customer_email")
HUB_STAMP = PointRead(
    f"SELECT {statements.named(Order, 'o', _STAMP_COLUMNS)}, +m.version AS merchant_version, "
    "m.locale AS merchant_locale FROM orders o JOIN merchants m ON m.id = o.merchant",
    "o.token_hash")
#: the same order row by its key (the API: merchant + external id) and by its id (messages)
_ORDER_BY_KEY = statements.Statement(f"{_ORDER_FROM} WHERE o.key = ?")
_ORDER_BY_ID = statements.Statement(f"{_ORDER_FROM} WHERE o.id = ?")
#: the lines with their products' texts (one indexed point read per line; `?`: "<merchant id>:")
_LINES = statements.Statement(
    f'SELECT {LINE_COLUMNS.select}, +p.id AS product_row, p.texts AS product_texts FROM order_lines l '
    "LEFT JOIN products p ON l.product_id <> '' AND p.key = (? || l.product_id) "
    'WHERE l."order" = ? ORDER BY l.position, l.id'
)
_MERCHANT = statements.Statement(f"SELECT {MERCHANT_COLUMNS.select} FROM merchants m WHERE m.id = ?")
_STORE = statements.Statement(f"SELECT {STORE_COLUMNS.select} FROM stores s WHERE s.key = ?")


@dataclass(frozen=True)
class _KeptMerchant:
    version: int
    merchant: Merchant
    brand: BrandView
    #: its hub link settings (rules.read_link_settings)
    links: dict[str, Any]


#: (engine binding, merchant id) -> its row and brand, as of `merchants.version` (read with the order
#: on every hub request, so an edit made by any process shows at once); a few merchants per process
_merchants: dict[tuple[int, int], _KeptMerchant] = {}


async def _merchant_at(merchant_id: int, version: int) -> _KeptMerchant:
    key = (engine.binding(), merchant_id)
    kept = _merchants.get(key)
    if kept is not None and kept.version == version:
        return kept
    merchant = await merchant_now(merchant_id)
    kept = _KeptMerchant(int(merchant.version), merchant, BrandView.of(merchant), _link_settings(merchant.settings))
    if kept.version >= version:
        _merchants[key] = kept
    return kept


def _link_settings(settings: object) -> dict[str, Any]:
    """The link settings in a merchant's `settings` column (rules.read_link_settings)."""
    return rules.read_link_settings(settings.get("links") if isinstance(settings, dict) else None)


async def merchant_link_settings(merchant_id: int) -> dict[str, Any]:
    async with engine.read():
        row = await Merchant.select(Merchant.settings).where(Merchant.id == merchant_id).output(load_json=True).first()
    return _link_settings(row["settings"] if row else None)


async def link_expiry(order: dict[str, Any], settings: dict[str, Any]) -> dt.datetime | None:
    """When the order's current hub link stops opening the hub (rules.link_expires_at), from its row
    (`id`, `placed_at`, `link_issued_at`, `fulfillment_status`, `cancelled_at`) and the merchant's
    link settings; reads the delivery and pickup moments only when the rule counts from them."""
    delivered_at = picked_up_at = None
    if (settings.get("expire_days") and settings.get("after") == rules.AFTER_FULFILMENT
            and order["fulfillment_status"] in rules.ENDED and order["fulfillment_status"] != rules.CANCELLED):
        async with engine.read():
            shipped = await Shipment.select(Shipment.delivered_at).where(
                (Shipment.order == order["id"]) & Shipment.delivered_at.is_not_null())
            pickup = await Pickup.select(Pickup.picked_up_at).where(Pickup.order == order["id"]).first()
        delivered_at = max((r["delivered_at"] for r in shipped), default=None)
        picked_up_at = pickup["picked_up_at"] if pickup else None
    return rules.link_expires_at(
        settings, placed_at=order["placed_at"], issued_at=order.get("link_issued_at"),
        fulfillment_status=order["fulfillment_status"], cancelled_at=order.get("cancelled_at"),
        delivered_at=delivered_at, picked_up_at=picked_up_at,
    )


async def hub_row(token: str, token_key: bytes) -> dict[str, Any] | None:
    """The stamp row of the order a hub token opens (`HUB_STAMP`'s columns, with `merchant_version`,
    `merchant_locale` and `link_expires_at`), or None for unknown, revoked and malformed tokens
    alike; outside any scope (one point read, plus the moments the link's expiry counts from when the
    merchant set one)."""
    if not well_formed(token):
        return None
    row = await HUB_STAMP.row(token_hash(token))
    if row is None or not opens(token, token_key, row["key"], row["token_generation"]):
        return None
    kept = await _merchant_at(row["merchant"], int(row["merchant_version"]))
    row["link_expires_at"] = await link_expiry(row, kept.links)
    row["opened_by"] = token
    return row


def _checked(raw: dict[str, Any] | None, token: str, token_key: bytes,
             stamp: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The order's row when `token` opens it; a stamp that `token` opened already (`hub_row`) spares
    working the token out again while the row's key and generation are still the stamp's."""
    row = _with_merchant_version(raw)
    if row is None:
        return None
    if (stamp is not None and stamp.get("opened_by") == token and stamp["key"] == row["key"]
            and stamp["token_generation"] == row["token_generation"]):
        return row
    if not opens(token, token_key, row["key"], row["token_generation"]):
        return None
    return row


#: what a page will read besides the hub, from the order's row (its `statements.Read`s)
PageReads = Callable[[dict[str, Any]], Iterable[statements.Read]]


async def load_hub(token: str, token_key: bytes, stamp: dict[str, Any] | None = None,
                   page_reads: PageReads | None = None) -> Hub | None:
    """The hub a token opens, or None: the order (by its id and with the link's expiry of `stamp`
    when the page cache read the token's stamp already, `hub_row`), its lines and, for a pickup, its
    store; the merchant as kept for its version. `page_reads`: what the page will read next, read
    together with the lines and the store (one round trip on PostgreSQL, `statements.prefetch`)."""
    if not well_formed(token):
        return None
    async with engine.read():
        if stamp is not None:  # the order's row and the page's reads, keyed on the stamp: one round trip
            await statements.prefetch(_page_reads_of(stamp, page_reads, _ORDER_BY_ID.read(stamp["id"])))
        raw = await (_ORDER_BY_ID.first(stamp["id"]) if stamp is not None else HUB_ORDER.first(token_hash(token)))
        order_row = _checked(raw, token, token_key, stamp)
        if order_row is None:
            return None
        kept = await _merchant_at(order_row["merchant"], int(order_row["merchant_version"]))
        if stamp is not None and stamp["merchant_version"] == order_row["merchant_version"]:
            order_row["link_expires_at"] = stamp["link_expires_at"]
        else:
            order_row["link_expires_at"] = await link_expiry(order_row, kept.links)
        if stamp is None:
            await statements.prefetch(_page_reads_of(order_row, page_reads))
        order, lines = await _read_view(order_row, kept.merchant)
    return Hub(token=token, merchant=kept.merchant, brand=kept.brand, order=order,
               link_expires_at=order_row["link_expires_at"], rows=HubRows(order_row, lines))


async def _view_of(order_row: dict[str, Any], merchant: Merchant) -> OrderView:
    """The order as its pages show it, from its row (HUB_ORDER's columns): its lines with their
    products' texts in one statement and, for a pickup, its store; inside the caller's read scope."""
    return (await _read_view(order_row, merchant))[0]


async def _read_view(order_row: dict[str, Any], merchant: Merchant) -> tuple[OrderView, list[dict[str, Any]]]:
    """`_view_of`, and the order's line rows (LINE_COLUMNS' names) it was built from."""
    lines, rows, products = await _lines_of(merchant.id, order_row["id"])
    store = None
    store_read = _store_read(order_row)
    if store_read is not None:
        found = STORE_COLUMNS.row(await store_read.first())
        store = SimpleNamespace(**found) if found else None
    return _order_view(SimpleNamespace(**order_row), lines, merchant, store, products), rows


def _lines_read(merchant_id: int, order_id: int) -> statements.Read:
    return _LINES.read(f"{merchant_id}:", order_id)


def _store_read(order_row: dict[str, Any]) -> statements.Read | None:
    """The read of a pickup order's store (None for an order without one)."""
    code = cast(dict[str, Any], statements.json_value(order_row["fulfillment"]) or {}).get("store_code")
    return _STORE.read(scoped(order_row["merchant"], code)) if code else None


def _view_reads(order_row: dict[str, Any]) -> list[statements.Read]:
    """What `_read_view` reads for the order of `order_row`."""
    store = _store_read(order_row)
    return [_lines_read(order_row["merchant"], order_row["id"]), *([store] if store else [])]


def _page_reads_of(row: dict[str, Any], page_reads: PageReads | None,
                   *first: statements.Read) -> list[statements.Read]:
    """`first`, what `_read_view` reads and the page's own reads, for the order of `row` (its row,
    or the stamp of it: a read keyed on a value that changed since is simply read again)."""
    return [*first, *_view_reads(row), *(page_reads(row) if page_reads else ())]


async def _lines_of(merchant_id: int, order_id: int) -> tuple[list[Any], list[dict[str, Any]], dict[str, Any]]:
    """The order's lines (as namespaces and as rows, LINE_COLUMNS' names) and the texts of the
    products they name, in one statement; inside the caller's read scope."""
    lines, rows, products = [], [], {}
    for raw in await _lines_read(merchant_id, order_id).all():
        line = cast(dict[str, Any], LINE_COLUMNS.row(raw))
        rows.append(line)
        lines.append(SimpleNamespace(**line))
        if raw["product_row"] is not None:
            texts = raw["product_texts"]
            products[line["product_id"]] = (json.loads(texts) if isinstance(texts, (str, bytes)) else texts) or {}
    return lines, rows, products


@dataclass(frozen=True)
class LineWords:
    """An order's lines' titles and variants per language, what `line_text` reads from an order (its
    `lines`, each with `line_id` and `texts`), for pages of other areas that show the order's items
    without the whole order: the admin's return and claim pages."""

    lines: list[SimpleNamespace]


async def line_words(merchant_id: int, order_id: int) -> LineWords:
    return (await line_words_by_order(merchant_id, [order_id]))[order_id]


async def line_words_by_order(merchant_id: int, order_ids: Iterable[int]) -> dict[int, LineWords]:
    """`line_words` of each order (a list page's orders: one indexed read each, in one read scope)."""
    out = {}
    async with engine.read():
        for order_id in dict.fromkeys(order_ids):
            lines, _rows, products = await _lines_of(merchant_id, order_id)
            out[order_id] = LineWords([SimpleNamespace(line_id=ln.line_id, texts=rules.line_texts(
                ln.title, ln.variant, ln.sku, products.get(ln.product_id))) for ln in lines])
    return out


async def order_row_by_id(order_id: int) -> dict[str, Any] | None:
    """The order's row as the hub reads it (with `merchant_version`), by its id; inside a read scope."""
    return _with_merchant_version(await _ORDER_BY_ID.first(order_id))


def _with_merchant_version(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    row = ORDER_COLUMNS.row(raw)
    if row is not None and raw is not None:
        row["merchant_version"], row["merchant_locale"] = raw["merchant_version"], raw["merchant_locale"]
    return row


async def merchant_now(merchant_id: int) -> Merchant:
    """The merchant's row as it is now (not the copy kept per version: a message says what is true
    at send time); inside a read scope."""
    row = MERCHANT_COLUMNS.row(await _MERCHANT.first(merchant_id))
    assert row is not None  # the order's foreign key
    return Merchant(_exists_in_db=True, **row)


async def view_of(order_row: dict[str, Any], merchant: Merchant) -> OrderView:
    """The order as its pages show it (the hub's statements), from a row of `order_row_by_id`."""
    async with engine.read():
        return await _view_of(order_row, merchant)


@dataclass(frozen=True)
class CrossSell:
    product_id: str
    title: str
    image_url: str
    url: str
    price_minor: int
    #: the product's title per language (orderhub.db.texts)
    texts: dict[str, Any] = field(default_factory=dict)


async def cross_sells(merchant: Merchant, order: OrderView, limit: int = 4) -> list[CrossSell]:
    """Up to `limit` in-stock products related to what was bought, never what was bought."""
    conf = rules.read_cross_sells_settings(cast(dict[str, Any], merchant.settings or {}).get("cross_sells"))
    if not conf["enabled"]:
        return []
    chosen = conf["related"]
    bought = [ln.product_id for ln in order.kept_lines if ln.product_id]
    async with engine.read():
        products = await Product.objects().output(load_json=True).where(
            (Product.merchant == merchant.id) & Product.external_id.is_in(bought or [""])
        )
        related: list[str] = []
        ordered = {ln.product_id for ln in order.lines}  # never offer what was bought, even if cancelled
        for pid in bought:
            for row in products:
                if row.external_id == pid:
                    picks = chosen.get(pid, row.related)
                    related += [r for r in picks if r not in related and r not in bought and r not in ordered]
        if not related:
            return []
        candidates = await Product.objects().output(load_json=True).where(
            (Product.merchant == merchant.id) & Product.external_id.is_in(related) & (Product.in_stock == True)  # noqa: E712
        )
    by_id = {p.external_id: p for p in candidates}
    out = []
    for pid in related:
        product = by_id.get(pid)
        if product is None:
            continue
        prices = [money.parse(v["price"], order.currency) for v in cast(list[dict[str, Any]], product.variants)
                  if v.get("in_stock")]
        if not prices:
            continue
        out.append(CrossSell(pid, product.title, product.image_url, product.url, min(prices),
                             cast(dict[str, Any], product.texts or {})))
        if len(out) == limit:
            break
    return out


async def product_url(merchant_id: int, product_id: str) -> str | None:
    async with engine.read():
        row = await Product.select(Product.url).where(Product.key == scoped(merchant_id, product_id)).first()
    return row["url"] if row else None


@dataclass(frozen=True)
class OrderLink:
    """An order's current hub token (for the links in the merchant's own emails)."""

    order_id: int
    number: str
    token: str


async def order_link(merchant_id: int, external_id: str, token_key: bytes) -> OrderLink | None:
    async with engine.read():
        row = await Order.select(Order.id, Order.key, Order.number, Order.token_generation).where(
            Order.key == scoped(merchant_id, external_id)).first()
    if row is None:
        return None
    return OrderLink(row["id"], row["number"], hub_token(token_key, row["key"], row["token_generation"]))


async def order_view(merchant: Merchant, external_id: str) -> OrderView | None:
    """One of the merchant's orders as its pages show it (the API's order answer), or None; read with
    the hub's statements."""
    async with engine.read():
        row = _with_merchant_version(await _ORDER_BY_KEY.first(scoped(merchant.id, external_id)))
        if row is None:
            return None
        return await _view_of(row, merchant)


def normalize_order_number(number: str) -> str:
    """An order number as typed (full-width letters and digits made plain, trimmed)."""
    return unicodedata.normalize("NFKC", number or "").strip()


@dataclass(frozen=True)
class LookupMatch:
    """The order a lookup found: its current hub token, and when that link stops opening the hub."""

    order_id: int
    token: str
    generation: int
    link_expires_at: dt.datetime | None


async def lookup(number: str, proof: str, token_key: bytes, *, merchant_id: int | None = None) -> LookupMatch | None:
    """The order for order number + email (or postal code), or None; only among one merchant's
    orders when `merchant_id` is given (the lookup reached from its link). Both sides go through the
    same normalisers (rules.normalize_email, rules.postal_codes_match). Does the same work whether or
    not the order exists, and never says which part was wrong."""
    proof_email = rules.normalize_email(proof)
    async with engine.read():
        query = Order.select(Order.id, Order.merchant, Order.key, Order.token_generation, Order.customer_email,
                             Order.shipping_address, Order.placed_at, Order.link_issued_at, Order.fulfillment_status,
                             Order.cancelled_at).where(Order.number == normalize_order_number(number))
        if merchant_id is not None:
            query = query.where(Order.merchant == merchant_id)
        rows = await query.limit(20).output(load_json=True)
    found = None
    candidates = rows or [{"key": "", "token_generation": 0, "customer_email": "\x00", "shipping_address": None}]
    for row in candidates:
        email_ok = hmac.compare_digest(rules.normalize_email(row["customer_email"]).encode(), proof_email.encode())
        address = row["shipping_address"] or {}
        postal_ok = rules.postal_codes_match(address.get("postal_code", "") or "\x00", proof,
                                             address.get("country", "") or "")
        if (email_ok or postal_ok) and row["key"] and found is None:
            found = row
    if found is None:
        return None
    expires = await link_expiry(found, await merchant_link_settings(found["merchant"]))
    return LookupMatch(found["id"], hub_token(token_key, found["key"], found["token_generation"]),
                       found["token_generation"], expires)


def local_time(value: dt.datetime, timezone: str) -> dt.datetime:
    return value.astimezone(ZoneInfo(timezone))


@dataclass(frozen=True)
class CatalogProduct:
    """One of the merchant's products, for the admin's cross-sell settings."""

    id: str
    title: str
    #: the catalog's related products (the merchant may choose others)
    related: list[str]
    in_stock: bool


async def catalog(merchant_id: int, limit: int = 500) -> list[CatalogProduct]:
    """The merchant's products for the admin: id, title and the catalog's related products."""
    async with engine.read():
        rows = await Product.select(Product.external_id, Product.title, Product.related, Product.in_stock).where(
            Product.merchant == merchant_id).order_by(Product.title).limit(limit).output(load_json=True)
    return [CatalogProduct(r["external_id"], r["title"], list(r["related"] or []), r["in_stock"]) for r in rows]


@dataclass(frozen=True)
class AdminOrder:
    """One of the merchant's orders for its admin page: what the shopper's page says of it, and the
    state of the shopper's link."""

    id: int
    merchant_id: int
    external_id: str
    number: str
    placed_at: dt.datetime
    customer_name: str
    customer_email: str
    fulfillment_type: str
    status: rules.OrderStatus
    #: when the current link stops opening the page (None: never) and when it was issued (None: with
    #: the order); how many times the link has been replaced
    link_expires_at: dt.datetime | None
    link_issued_at: dt.datetime | None
    links_replaced: int

    def link_expired(self, now: dt.datetime) -> bool:
        return rules.link_expired(self.link_expires_at, now)


def _admin_id_ok(external_id: str) -> bool:
    """An id some order can have (PostgreSQL refuses NUL; ids are 1 to 200 characters)."""
    return 0 < len(external_id) <= 200 and "\x00" not in external_id


async def admin_order(merchant_id: int, external_id: str) -> AdminOrder | None:
    """The merchant's order with this id (None for another merchant's or an unknown one)."""
    if not _admin_id_ok(external_id):
        return None
    async with engine.read():
        order = await Order.select(
            Order.id, Order.merchant, Order.external_id, Order.number, Order.placed_at, Order.customer,
            Order.customer_email, Order.fulfillment_type, Order.fulfillment_status, Order.cancelled_at,
            Order.token_generation, Order.link_issued_at, Order.payment, Order.payment_status,
        ).where(Order.key == scoped(merchant_id, external_id)).output(load_json=True).first()
        if order is None:
            return None
        ships = await Shipment.select(Shipment.status).where(Shipment.order == order["id"])
        pickup = await Pickup.select(Pickup.state).where(Pickup.order == order["id"]).first()
        expires = await link_expiry(order, await merchant_link_settings(merchant_id))
    status = rules.order_status(
        cancelled=rules.is_cancelled(order["cancelled_at"], order["fulfillment_status"]),
        fulfillment_type=order["fulfillment_type"], fulfillment_status=order["fulfillment_status"],
        shipment_statuses=[s["status"] for s in ships], pickup_state=pickup["state"] if pickup else None,
        awaiting_payment=payment_rules.awaiting_payment(
            str((order["payment"] or {}).get("method") or payment_rules.CARD), order["payment_status"]),
    )
    customer = cast(dict[str, Any], order["customer"] or {})
    return AdminOrder(
        id=order["id"], merchant_id=merchant_id, external_id=order["external_id"], number=order["number"],
        placed_at=order["placed_at"], customer_name=str(customer.get("name") or ""),
        customer_email=order["customer_email"], fulfillment_type=order["fulfillment_type"], status=status,
        link_expires_at=expires, link_issued_at=order["link_issued_at"],
        links_replaced=max(0, int(order["token_generation"]) - 1),
    )


@dataclass(frozen=True)
class OrderHit:
    """An order found by its number in the admin."""

    external_id: str
    number: str
    placed_at: dt.datetime
    customer_name: str


async def orders_by_number(merchant_id: int, number: str, limit: int = 20) -> list[OrderHit]:
    """The merchant's orders with this number (as typed: full-width and spaces normalised), newest first."""
    wanted = normalize_order_number(number)
    if not wanted or len(wanted) > 64 or "\x00" in wanted:
        return []
    async with engine.read():
        rows = await Order.select(Order.external_id, Order.number, Order.placed_at, Order.customer).where(
            (Order.merchant == merchant_id) & (Order.number == wanted)
        ).order_by(Order.placed_at, ascending=False).limit(limit).output(load_json=True)
    return [OrderHit(r["external_id"], r["number"], r["placed_at"], str((r["customer"] or {}).get("name") or ""))
            for r in rows]
