"""Stock held for exchanges and claim replacements, and the replacement record itself.

A variant's count on hand comes from the catalog (`variants[].stock`, optional; a variant that is
`in_stock` without a count is not limited). Holding a unit raises `VariantStock.reserved` in ONE
conditional UPDATE (`reserved + n <= stock`), so two shoppers asking for the last unit at the same
time cannot both get it: the loser's whole request is rolled back with a clear message. Every
function here runs inside the caller's write transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from piccolo.custom_types import Combinable

from orderhub.db import engine, statements
from orderhub.db.errors import Conflict
from orderhub.db.keys import scoped
from orderhub.db.orders.tables import Product
from orderhub.db.returns import rules
from orderhub.db.returns.tables import Replacement, VariantStock


class SoldOut(Conflict):
    """Fewer units of a variant are free than asked for."""

    def __init__(self, sku: str) -> None:
        super().__init__(rules.OUT_OF_STOCK, f"{sku} has just sold out", sku=sku)
        self.sku = sku


@dataclass(frozen=True)
class ReplacementItemView:
    line_id: str
    title: str
    sku: str
    option: str
    quantity: int
    product_id: str = ""

    @classmethod
    def of(cls, item: dict[str, Any]) -> ReplacementItemView:
        return cls(item.get("line_id") or "", item.get("title") or "", item["sku"], item.get("option") or "",
                   int(item["quantity"]), item.get("product_id") or "")

    def stored(self) -> dict[str, Any]:
        return {"line_id": self.line_id, "title": self.title, "product_id": self.product_id, "sku": self.sku,
                "option": self.option, "quantity": self.quantity}


@dataclass(frozen=True)
class ReplacementView:
    """What goes out instead: held (stock reserved), issued (sent) or released (given back)."""

    number: str
    status: str
    items: list[ReplacementItemView] = field(default_factory=list)

    @property
    def tone(self) -> str:
        return rules.replacement_tone(self.status)

    def api(self) -> dict[str, Any]:
        return {"number": self.number, "status": self.status,
                "items": [{"line_id": i.line_id, "title": i.title, "sku": i.sku, "option": i.option,
                           "quantity": i.quantity} for i in self.items]}


async def _variant(merchant_id: int, product_id: str, sku: str) -> dict[str, Any] | None:
    product = await Product.select(Product.variants).output(load_json=True).where(
        Product.key == scoped(merchant_id, product_id)).first()
    return next((v for v in (product or {}).get("variants") or [] if v.get("sku") == sku), None)


async def reserved(merchant_id: int, skus: list[str]) -> dict[str, int]:
    """Units held per SKU."""
    if not skus:
        return {}
    async with engine.read():
        rows = await VariantStock.select(VariantStock.sku, VariantStock.reserved).where(
            VariantStock.key.is_in([scoped(merchant_id, s) for s in skus]))
    return {r["sku"]: r["reserved"] for r in rows}


def free_units(variant: dict[str, Any], held: int) -> int | None:
    """Units that can still be promised: None when the catalog gives no count (in stock, unlimited)."""
    if not variant.get("in_stock", True):
        return 0
    stock = variant.get("stock")
    return None if stock is None else max(0, int(stock) - held)


async def hold(merchant_id: int, product_id: str, sku: str, quantity: int, *, now: dt.datetime) -> None:
    """Hold `quantity` units of a variant; SoldOut when fewer are free."""
    variant = await _variant(merchant_id, product_id, sku)
    if variant is None or not variant.get("in_stock", True):
        raise SoldOut(sku)
    key = scoped(merchant_id, sku)
    await VariantStock.insert(VariantStock(merchant=merchant_id, key=key, sku=sku, reserved=0, updated_at=now)
                              ).on_conflict(target=VariantStock.key, action="DO NOTHING")
    where: Combinable = VariantStock.key == key
    if variant.get("stock") is not None:
        where = where & (VariantStock.reserved <= int(variant["stock"]) - quantity)
    done = await VariantStock.update({VariantStock.reserved: VariantStock.reserved + quantity,
                                      VariantStock.updated_at: now}).where(where).returning(VariantStock.id)
    if not done:
        raise SoldOut(sku)


async def give_back(merchant_id: int, sku: str, quantity: int, *, now: dt.datetime) -> None:
    await VariantStock.update({VariantStock.reserved: VariantStock.reserved - quantity, VariantStock.updated_at: now}
                              ).where((VariantStock.key == scoped(merchant_id, sku))
                                      & (VariantStock.reserved >= quantity))


async def create(merchant_id: int, order_id: int, source: str, items: list[ReplacementItemView], *,
                 now: dt.datetime) -> ReplacementView:
    """A replacement for `source` (`rules.replacement_source`: "return:<id>" / "claim:<id>"): holds
    every item's units."""
    async with engine.write():
        for it in items:
            await hold(merchant_id, it.product_id, it.sku, it.quantity, now=now)
        row = Replacement(merchant=merchant_id, order=order_id, key=source, items=[i.stored() for i in items],
                          status=rules.HELD, created_at=now, updated_at=now)
        await row.save()
        number = f"RPL-{row.id:06d}"
        await Replacement.update({Replacement.number: number}).where(Replacement.id == row.id)
    return ReplacementView(number, rules.HELD, list(items))


def issued(rep: ReplacementView) -> ReplacementView:
    return replace(rep, status=rules.ISSUED)


async def _settle(source: str, status: str, *, now: dt.datetime) -> None:
    async with engine.write():
        row = await Replacement.select().output(load_json=True).where(
            (Replacement.key == source) & (Replacement.status == rules.HELD)).first()
        if row is None:
            return
        changed = await Replacement.update({Replacement.status: status, Replacement.updated_at: now}).where(
            (Replacement.id == row["id"]) & (Replacement.status == rules.HELD)).returning(Replacement.id)
        if not changed:
            return
        # released: the units are free again; issued: they left, the storefront's count takes over
        for it in row["items"] or []:
            await give_back(row["merchant"], it["sku"], it["quantity"], now=now)


async def release(source: str, *, now: dt.datetime) -> None:
    """The return was rejected, cancelled or expired: give the held units back."""
    await _settle(source, rules.RELEASED, now=now)


async def issue(source: str, *, now: dt.datetime) -> None:
    """The replacement goes out (exchange completed, claim resolved)."""
    await _settle(source, rules.ISSUED, now=now)


async def for_sources(sources: list[str]) -> dict[str, ReplacementView]:
    if not sources:
        return {}
    async with engine.read():
        rows = await Replacement.select(Replacement.key, Replacement.number, Replacement.status, Replacement.items
                                        ).output(load_json=True).where(Replacement.key.is_in(sources))
    return _by_source(rows)


_REPLACEMENT = statements.columns(Replacement, "p")
_OF_ORDER = statements.Statement(f'SELECT {_REPLACEMENT.select} FROM return_replacements p WHERE p."order" = ?')


def of_order_read(order_id: int) -> statements.Read:
    """What `for_order` reads (a page says so beforehand: `statements.prefetch`)."""
    return _OF_ORDER.read(order_id)


async def for_order(order_id: int) -> dict[str, ReplacementView]:
    """`for_sources` of every replacement of the order (its returns' and its claims'), by one fixed
    statement (inside a read scope)."""
    return _by_source(_REPLACEMENT.rows(await of_order_read(order_id).all()))


def _by_source(rows: list[dict[str, Any]]) -> dict[str, ReplacementView]:
    return {r["key"]: ReplacementView(r["number"], r["status"], [ReplacementItemView.of(i) for i in r["items"] or []])
            for r in rows}


def api(rep: ReplacementView | None) -> dict[str, Any] | None:
    return rep.api() if rep else None
