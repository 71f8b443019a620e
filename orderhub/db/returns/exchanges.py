"""Exchanges for something else (issue 20 item 5): the catalog a shopper browses, the chosen
variants held (replacements.py, as same-product exchanges), the settlement stored once, the
`exchange.created` webhook with its draft order, and the difference's payment as the storefront
answers it. Decisions live in exchange_rules.py; writes join the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orderhub import money
from orderhub.db import engine, statements
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.orders.tables import Product
from orderhub.db.outbox.services import notify
from orderhub.db.paging import Page, clamp_page, pages_for
from orderhub.db.payments import rules as payment_rules
from orderhub.db.payments import services as payments
from orderhub.db.returns import exchange_rules as xr
from orderhub.db.returns import replacements, rules
from orderhub.db.returns.exchange_tables import ReturnExchange
from orderhub.db.returns.replacements import ReplacementItemView
from orderhub.db.returns.tables import ReturnRequest

CREATED_EVENT = "exchange.created"
#: the shopper's "pay the difference" message, once the storefront gave a payment URL
PAYMENT_DUE_EVENT = "exchange.payment_due"
#: the merchant's news that the difference was paid (webhook only), once
PAID_EVENT = "return.exchange_paid"
#: the return was withdrawn after the difference was paid: the difference went back (webhook and email)
DIFFERENCE_REFUNDED_EVENT = "return.exchange_refunded"
#: the return was withdrawn: the storefront voids its draft order (webhook only)
CANCELLED_EVENT = "exchange.cancelled"


# -- the catalog ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogProduct:
    product_id: str
    title: str
    image_url: str
    #: {"title": {"ja", "en"}, "options": {sku: {"ja", "en"}}}
    texts: dict[str, Any]
    variants: list[xr.VariantChoice]

    def option_texts(self) -> dict[str, Any]:
        """The variants' labels by SKU, as `shop_text(…, sku, option)` reads them."""
        opts = self.texts.get("options")
        return opts if isinstance(opts, dict) else {}


def _names(row: Mapping[str, Any]) -> list[str]:
    texts = row.get("texts") if isinstance(row.get("texts"), dict) else {}
    title = (texts or {}).get("title") if isinstance((texts or {}).get("title"), dict) else {}
    return [str(row.get("title") or ""), *[str(v) for v in (title or {}).values() if isinstance(v, str)]]


async def catalog_page(merchant_id: int, currency: str, query: str, page: int) -> Page[CatalogProduct]:
    """The merchant's products with a variant that can still be promised, whose names match `query`
    (every word, ja or en), paged by exchange_rules.PER_PAGE in title order."""
    async with engine.read():
        rows = await Product.select(Product.external_id, Product.title, Product.image_url, Product.variants,
                                    Product.texts).output(load_json=True).where(
            (Product.merchant == merchant_id) & (Product.in_stock == True)  # noqa: E712
        ).order_by(Product.title).order_by(Product.id)
    found = [r for r in rows if xr.matches(query, _names(r))]
    skus = [str(v.get("sku")) for r in found for v in (r["variants"] or []) if isinstance(v, dict)]
    held = await replacements.reserved(merchant_id, skus)
    products = []
    for r in found:
        variants = xr.in_stock_variants([v for v in r["variants"] or [] if isinstance(v, dict)], held, currency)
        if variants:
            products.append(CatalogProduct(r["external_id"], r["title"], r["image_url"] or "",
                                           r["texts"] if isinstance(r["texts"], dict) else {}, variants))
    pages = pages_for(len(products), xr.PER_PAGE)
    page = clamp_page(page, len(products), xr.PER_PAGE)
    start = (page - 1) * xr.PER_PAGE
    return Page(products[start:start + xr.PER_PAGE], page, pages, len(products), xr.PER_PAGE)


def raw_picks(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The wizard draft's chosen variants ([{"product_id", "sku", "quantity"}]), cleaned of junk."""
    out = []
    for p in data.get(xr.DRAFT_KEY) or []:
        if isinstance(p, dict) and isinstance(p.get("sku"), str) and isinstance(p.get("product_id"), str) \
                and isinstance(p.get("quantity"), int) and p["quantity"] > 0:
            out.append({"product_id": p["product_id"], "sku": p["sku"], "quantity": p["quantity"]})
    return out


def with_pick(data: Mapping[str, Any], product_id: str, sku: str, quantity: int) -> list[dict[str, Any]]:
    """The draft's choices with `sku` set to `quantity` units (0 removes it)."""
    picks = [p for p in raw_picks(data) if p["sku"] != sku]
    if quantity > 0:
        picks.append({"product_id": product_id, "sku": sku, "quantity": quantity})
    return picks


async def resolve_picks(merchant_id: int, currency: str, raw: Sequence[Mapping[str, Any]]) -> list[xr.Pick]:
    """The chosen variants priced from the catalog; ValidationFailed when one is not (or no longer)
    an in-stock variant of the shop, or when there are too many."""
    if not raw:
        raise ValidationFailed([xr.field_error(xr.DRAFT_KEY, xr.NOTHING_CHOSEN)])
    if len(raw) > xr.MAX_PICKS:
        raise ValidationFailed([xr.field_error(xr.DRAFT_KEY, xr.TOO_MANY, limit=xr.MAX_PICKS)])
    keys = {scoped(merchant_id, str(p["product_id"])) for p in raw}
    async with engine.read():
        rows = await Product.select(Product.key, Product.external_id, Product.title, Product.image_url,
                                    Product.variants, Product.in_stock, Product.texts).output(load_json=True).where(
            Product.key.is_in(list(keys)))
    by_id = {r["external_id"]: r for r in rows if r["in_stock"]}
    held = await replacements.reserved(merchant_id, [str(p["sku"]) for p in raw])
    out = []
    for i, p in enumerate(raw):
        row = by_id.get(str(p["product_id"]))
        choices = {v.sku: v for v in xr.in_stock_variants(
            [v for v in (row or {}).get("variants") or [] if isinstance(v, dict)], held, currency)}
        choice = choices.get(str(p["sku"]))
        qty = int(p["quantity"])
        if row is None or choice is None or (choice.free is not None and qty > choice.free):
            raise ValidationFailed([xr.field_error(f"{xr.DRAFT_KEY}[{i}]", xr.NOT_IN_CATALOG)])
        if qty > xr.MAX_UNITS:
            raise ValidationFailed([xr.field_error(f"{xr.DRAFT_KEY}[{i}].quantity", xr.TOO_MANY, limit=xr.MAX_UNITS)])
        texts = row["texts"] if isinstance(row["texts"], dict) else {}
        out.append(xr.Pick(row["external_id"], choice.sku, row["title"], choice.option, qty, choice.price_minor,
                           row["image_url"] or "", xr.pick_texts(texts, choice.sku)))
    return out


async def resolve_picks_or_none(merchant_id: int, currency: str, data: Mapping[str, Any]) -> list[xr.Pick] | None:
    """The draft's choices priced, or None when one is no longer available (the page says so)."""
    raw = raw_picks(data)
    if not raw:
        return []
    try:
        return await resolve_picks(merchant_id, currency, raw)
    except ValidationFailed:
        return None


# -- the settlement -------------------------------------------------------------------------------

def quote(breakdown: rules.Breakdown, picks: Sequence[xr.Pick], *, policy: Mapping[str, Any], total_minor: int,
          refunded_minor: int, prices_include_tax: bool, paid_in_minor: int = 0) -> xr.Settlement:
    """Who pays what: the returned items' value (refund rules) and bonus against the chosen items."""
    value = xr.exchange_value(breakdown, payment_rules.refund_left(total_minor, refunded_minor, paid_in_minor))
    return xr.settle(value, xr.exchange_bonus(value, policy), picks, currency=breakdown.currency,
                     prices_include_tax=prices_include_tax, tax_rate=xr.returned_tax_rate(breakdown))


@dataclass(frozen=True)
class ExchangeView:
    """An exchange for something else as every page, email and API answer shows it."""

    return_id: int
    items: list[xr.Pick]
    settlement: xr.Settlement
    payment_status: str
    payment_url: str = ""
    paid_at: dt.datetime | None = None
    refunded_at: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: the paid difference given back because the return was withdrawn (payment_status refunded)
    difference_refunded_minor: int = 0

    @property
    def currency(self) -> str:
        return self.settlement.currency

    @property
    def direction(self) -> str:
        return self.settlement.direction

    @property
    def shows_pay_button(self) -> bool:
        return xr.shows_pay_button(self.payment_status, self.payment_url)

    @property
    def can_ship(self) -> bool:
        return xr.can_ship(self.payment_status)

    @property
    def withdrawn(self) -> bool:
        return self.payment_status == xr.WITHDRAWN

    @property
    def awaiting_link(self) -> bool:
        return self.payment_status == xr.AWAITING_LINK

    @property
    def paid(self) -> bool:
        return self.payment_status == xr.PAID

    @property
    def difference_refunded(self) -> bool:
        """The paid difference went back to the shopper (the return was withdrawn after paying)."""
        return self.payment_status == xr.REFUNDED

    @property
    def difference_note(self) -> tuple[str, int] | None:
        return xr.difference_note(self.settlement, self.payment_status, refunded=self.refunded_at is not None,
                                  difference_refunded_minor=self.difference_refunded_minor)

    @property
    def payment_tone(self) -> str:
        return xr.payment_tone(self.payment_status)

    def api(self) -> dict[str, Any]:
        s = self.settlement

        def show(minor: int) -> str:
            return money.to_string(minor, s.currency)

        return {
            "items": [{"product_id": p.product_id, "sku": p.sku, "title": p.title, "option": p.option or None,
                       "quantity": p.quantity, "unit_price": show(p.unit_price_minor),
                       "amount": show(p.line_minor)} for p in self.items],
            "currency": s.currency, "value": show(s.value_minor), "bonus": show(s.bonus_minor),
            "bonus_used": show(s.bonus_used_minor), "new_total": show(s.new_total_minor),
            "difference_to_pay": show(s.to_pay_minor), "difference_refunded": show(s.refund_minor),
            "direction": s.direction,
            "payment": {"status": self.payment_status, "url": self.payment_url or None,
                        "paid_at": self.paid_at.isoformat() if self.paid_at else None},
            "refunded_at": self.refunded_at.isoformat() if self.refunded_at else None,
            "paid_difference_refunded": show(self.difference_refunded_minor) if self.difference_refunded else None,
        }


def _view(row: Mapping[str, Any]) -> ExchangeView:
    return ExchangeView(row["request"], [xr.Pick.of(i) for i in row["items"] or []],
                        xr.settlement_of(row["settlement"]), row["payment_status"], row["payment_url"] or "",
                        row["paid_at"], row["refunded_at"],
                        difference_refunded_minor=int(row.get("difference_refunded_minor") or 0))


async def for_returns(ids: Sequence[int]) -> dict[int, ExchangeView]:
    if not ids:
        return {}
    async with engine.read():
        rows = await ReturnExchange.select().output(load_json=True).where(ReturnExchange.request.is_in(list(ids)))
    return {r["request"]: _view(r) for r in rows}


_EXCHANGE = statements.columns(ReturnExchange, "x")
_OF_ORDER = statements.Statement(
    f'SELECT {_EXCHANGE.select} FROM return_exchanges x JOIN return_requests r ON r.id = x.request WHERE r."order" = ?')


def of_order_read(order_id: int) -> statements.Read:
    """What `for_order` reads (a page says so beforehand: `statements.prefetch`)."""
    return _OF_ORDER.read(order_id)


async def for_order(order_id: int) -> dict[int, ExchangeView]:
    """`for_returns` of every return of the order, by one fixed statement (inside a read scope)."""
    return {r["request"]: _view(r) for r in _EXCHANGE.rows(await of_order_read(order_id).all())}


# -- writes ---------------------------------------------------------------------------------------

async def create(*, merchant_id: int, order_id: int, return_id: int, number: str, order_number: str,
                 breakdown: rules.Breakdown, raw: Sequence[Mapping[str, Any]], policy: Mapping[str, Any],
                 total_minor: int, refunded_minor: int, prices_include_tax: bool, hub_url: str,
                 now: dt.datetime, paid_in_minor: int = 0) -> ExchangeView:
    """Inside the return's submit: price the choices, hold their units (SoldOut rolls the whole
    return back), store the settlement and tell the storefront (`exchange.created`, a draft order)."""
    picks = await resolve_picks(merchant_id, breakdown.currency, raw)
    s = quote(breakdown, picks, policy=policy, total_minor=total_minor, refunded_minor=refunded_minor,
              prices_include_tax=prices_include_tax, paid_in_minor=paid_in_minor)
    source = rules.replacement_source("return", return_id)
    try:
        await replacements.create(merchant_id, order_id, source, [
            ReplacementItemView(line_id="", title=p.title, sku=p.sku, option=p.option, quantity=p.quantity,
                                product_id=p.product_id) for p in picks], now=now)
    except replacements.SoldOut as e:
        index = next(i for i, p in enumerate(picks) if p.sku == e.sku)
        raise ValidationFailed([rules.field_error(f"{xr.DRAFT_KEY}[{index}]", rules.SOLD_OUT)]) from None
    state = xr.first_payment_state(s.to_pay_minor)
    async with engine.write():
        await ReturnExchange(merchant=merchant_id, request=return_id, key=source, currency=s.currency,
                             items=[p.stored() for p in s.picks], settlement=s.stored(), to_pay_minor=s.to_pay_minor,
                             refund_minor=s.refund_minor, payment_status=state, payment_url="",
                             created_at=now, updated_at=now).save()
        payload = xr.draft_order(return_id=return_id, number=number, order_number=order_number, hub_url=hub_url,
                                 picks=s.picks, settlement=s, prices_include_tax=prices_include_tax,
                                 tax_rate=xr.returned_tax_rate(breakdown))
        await notify(merchant_id, CREATED_EVENT, payload, order_id=order_id, now=now)
    return ExchangeView(return_id, list(s.picks), s, state)


async def _row(merchant_id: int, return_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    req = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.status, ReturnRequest.order,
                                     ReturnRequest.number, ReturnRequest.order.number.as_alias("order_number")).where(
        (ReturnRequest.id == return_id) & (ReturnRequest.merchant == merchant_id)).first()
    if req is None:
        raise NotFound(rules.RETURN_NOT_FOUND, "return not found")
    row = await ReturnExchange.select().output(load_json=True).where(ReturnExchange.request == return_id).first()
    if row is None:
        raise Conflict(xr.NOT_AN_EXCHANGE, "this return is not an exchange for something else")
    return req, row


async def set_payment(merchant_id: int, return_id: int, body: object, *, now: dt.datetime) -> None:
    """The storefront's answer about the difference: a payment URL (https) the hub shows until paid,
    or "paid" (recorded on the order as money paid in, `payments.record_paid_in`, and announced once as
    `return.exchange_paid`). The same answer twice changes nothing (also once the paid difference was
    refunded); a paid difference stays paid. The state moves by a guarded update: of two answers at
    once, one records and announces."""
    async with engine.read():
        mine = await ReturnRequest.exists().where((ReturnRequest.id == return_id)
                                                  & (ReturnRequest.merchant == merchant_id))
    if not mine:  # another merchant's return, or none: 404 whatever the body
        raise NotFound(rules.RETURN_NOT_FOUND, "return not found")
    if not isinstance(body, dict):
        raise ValidationFailed([xr.field_error("body", rules.NOT_AN_OBJECT)])
    answer = xr.next_payment("", body)
    if isinstance(answer, list):
        raise ValidationFailed(answer)
    state, url = answer
    async with engine.write():
        req, row = await _row(merchant_id, return_id)
        refused = xr.payment_refusal(row["payment_status"], row["to_pay_minor"], req["status"])
        if refused == xr.NOTHING_TO_PAY:
            raise Conflict(refused, "there is no difference to pay")
        if xr.repeats_paid(row["payment_status"], state):
            return
        if row["payment_status"] == xr.PAID:
            raise Conflict(xr.ALREADY_PAID, "the difference is paid already")
        if refused:
            raise Conflict(refused, "the exchange is closed")
        if (state, url) == (row["payment_status"], row["payment_url"]):
            return
        moved = await ReturnExchange.update({
            ReturnExchange.payment_status: state, ReturnExchange.payment_url: url,
            ReturnExchange.paid_at: now if state == xr.PAID else None, ReturnExchange.updated_at: now}).where(
            (ReturnExchange.id == row["id"]) & (ReturnExchange.payment_status == row["payment_status"])
            & (ReturnExchange.payment_url == row["payment_url"])).returning(ReturnExchange.id)
        if not moved:  # another answer moved it meanwhile: that one recorded and announced it
            return
        s = xr.settlement_of(row["settlement"])
        if state == xr.PAID:
            await payments.record_paid_in(req["order"], s.to_pay_minor, now=now)
            await notify(merchant_id, PAID_EVENT, {
                "return_id": return_id, "number": req["number"], "order_number": req["order_number"],
                "amount": money.to_string(s.to_pay_minor, s.currency), "currency": s.currency,
                "paid_at": now.isoformat(),
            }, order_id=req["order"], now=now)
        if state == xr.DUE:
            await notify(merchant_id, PAYMENT_DUE_EVENT, {
                "return_id": return_id, "number": req["number"], "payment_url": url,
                "difference_to_pay": money.to_string(s.to_pay_minor, s.currency), "currency": s.currency,
            }, order_id=req["order"], now=now)


async def check_ship(return_id: int) -> None:
    """Conflict while the difference of an exchange for something else is unpaid (nothing ships)."""
    row = await ReturnExchange.select(ReturnExchange.payment_status).where(
        ReturnExchange.request == return_id).first()
    if row is not None and not xr.can_ship(row["payment_status"]):
        raise Conflict(xr.UNPAID, "the difference is not paid yet")


async def withdraw(return_id: int, *, now: dt.datetime) -> None:
    """The return was cancelled, rejected or expired (returns.services, in its transaction): the
    difference is no longer due; one already paid goes back through the order's payment (at most what
    was paid, and what is left to refund), with `return.exchange_refunded` (the shopper's email and a
    webhook); `exchange.cancelled` tells the storefront to void its draft order. The state moves with a
    guarded update, so a second withdrawal path or a retried job refunds and announces nothing again."""
    row = await ReturnExchange.select(ReturnExchange.id, ReturnExchange.payment_status, ReturnExchange.to_pay_minor,
                                      ReturnExchange.currency).where(ReturnExchange.request == return_id).first()
    if row is None:
        return
    before, target = row["payment_status"], xr.after_withdrawal(row["payment_status"])
    if target == before:
        return
    moved = await ReturnExchange.update({ReturnExchange.payment_status: target, ReturnExchange.updated_at: now}).where(
        (ReturnExchange.id == row["id"]) & (ReturnExchange.payment_status == before)).returning(ReturnExchange.id)
    req = await ReturnRequest.select(ReturnRequest.merchant, ReturnRequest.order, ReturnRequest.number,
                                     ReturnRequest.status, ReturnRequest.order.number.as_alias("order_number")).where(
        ReturnRequest.id == return_id).first()
    if not moved or req is None:
        return
    cur = row["currency"]
    base = {"return_id": return_id, "number": req["number"], "order_number": req["order_number"],
            "status": req["status"], "currency": cur}
    refunded = 0
    wanted = xr.withdrawal_refund(before, int(row["to_pay_minor"]))
    if wanted:
        refunded = await payments.record_refund(req["order"], wanted, reason=f"exchange difference {req['number']}",
                                                source="exchange", now=now, credit_note=False, up_to=True)
        await ReturnExchange.update({ReturnExchange.difference_refunded_minor: refunded,
                                     ReturnExchange.refunded_at: now}).where(ReturnExchange.id == row["id"])
        await notify(req["merchant"], DIFFERENCE_REFUNDED_EVENT, {**base, "amount": money.to_string(refunded, cur),
                                                                   "refunded_at": now.isoformat()},
                     order_id=req["order"], now=now)
    await notify(req["merchant"], CANCELLED_EVENT, {
        **base, "payment_status": target, "difference_to_pay": money.to_string(int(row["to_pay_minor"]), cur),
        "difference_refunded": money.to_string(refunded, cur)}, order_id=req["order"], now=now)


async def refund_difference(return_id: int, *, now: dt.datetime) -> None:
    """The replacement went out: a cheaper choice's difference goes back to the payment, once (cut to
    what is left to refund: the payments area's one cap)."""
    row = await ReturnExchange.select().where(ReturnExchange.request == return_id).first()
    if row is None or row["refund_minor"] <= 0 or row["refunded_at"] is not None:
        return
    req = await ReturnRequest.select(ReturnRequest.order, ReturnRequest.number).where(
        ReturnRequest.id == return_id).first()
    if req is None:
        return
    await payments.record_refund(req["order"], int(row["refund_minor"]), reason=f"exchange {req['number']}",
                                 source="exchange", now=now, credit_note=False, up_to=True)
    await ReturnExchange.update({ReturnExchange.refunded_at: now, ReturnExchange.updated_at: now}).where(
        ReturnExchange.id == row["id"])
