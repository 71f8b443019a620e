"""Where to drop a return: reads (the list for an order and a method) and the merchant's partner
points (add, edit, remove). Decisions are in `dropoff_rules`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from orderhub.db import engine
from orderhub.db.errors import DomainError, NotFound, ValidationFailed
from orderhub.db.merchants.tables import Merchant, Store
from orderhub.db.orders.tables import Order
from orderhub.db.returns import dropoff_rules as rules
from orderhub.db.returns.dropoff_tables import DropOffPoint


@dataclass(frozen=True)
class PointView:
    """A partner point as the admin edits it."""

    id: int
    kind: str
    name: str
    address: dict[str, Any]
    timezone: str
    hours: list[dict[str, Any]]
    note: str
    texts: dict[str, Any] = field(default_factory=dict)


def _point(row: dict[str, Any]) -> PointView:
    return PointView(id=row["id"], kind=row["kind"], name=row["name"], address=row["address"] or {},
                     timezone=row["timezone"], hours=row["hours"] or [], note=row["note"] or "",
                     texts=row["texts"] or {})


async def points(merchant_id: int) -> list[PointView]:
    async with engine.read():
        rows = await DropOffPoint.select().output(load_json=True).where(
            DropOffPoint.merchant == merchant_id).order_by(DropOffPoint.name).order_by(DropOffPoint.id)
    return [_point(r) for r in rows]


async def point(merchant_id: int, point_id: int) -> PointView:
    """One of the merchant's points; another merchant's or an unknown one is NotFound."""
    async with engine.read():
        row = await DropOffPoint.select().output(load_json=True).where(
            (DropOffPoint.merchant == merchant_id) & (DropOffPoint.id == point_id)).first()
    if row is None:
        raise NotFound(rules.POINT_NOT_FOUND, "no such drop-off point")
    return _point(row)


async def _places(merchant_id: int) -> list[dict[str, Any]]:
    """The merchant's stores and partner points as the rules read them."""
    async with engine.read():
        stores = await Store.select(Store.code, Store.name, Store.address, Store.timezone, Store.hours,
                                    Store.texts).output(load_json=True).where(Store.merchant == merchant_id)
        partners = await DropOffPoint.select().output(load_json=True).where(DropOffPoint.merchant == merchant_id)
    out: list[dict[str, Any]] = [
        {"kind": rules.STORE, "ref": s["code"], "name": s["name"], "address": s["address"] or {},
         "timezone": s["timezone"], "hours": s["hours"] or [], "texts": s["texts"] or {}} for s in stores]
    out += [{"kind": p["kind"], "ref": p["id"], "name": p["name"], "address": p["address"] or {},
             "timezone": p["timezone"], "hours": p["hours"] or [], "note": p["note"] or "", "texts": p["texts"] or {}}
            for p in partners]
    return out


async def for_order(order_id: int, method: str, *, now: dt.datetime, postal: str | None = None) -> rules.DropOffList:
    """The places for `method`, measured from `postal` when the shopper typed one, else from the order's
    delivery address (its postal code is never shown back: it is a lookup factor)."""
    async with engine.read():
        order = await Order.select(Order.merchant, Order.shipping_address).output(load_json=True).where(
            Order.id == order_id).first()
        if order is None:
            raise NotFound("returns.not_found", "no such order")
        merchant = await Merchant.select(Merchant.address).output(load_json=True).where(
            Merchant.id == order["merchant"]).first()
        address = cast("dict[str, Any]", order["shipping_address"] or {})
        country = str(address.get("country") or ((merchant or {}).get("address") or {}).get("country") or "")
        raws = await _places(order["merchant"]) if rules.lists_places(method) else []
    typed = (postal or "").strip()[:20]
    origin = typed or str(address.get("postal_code") or "")
    found = rules.build(method, raws, now, origin, country.upper())
    return found if typed else rules.DropOffList(found.method, found.places, "", found.origin_country,
                                                 found.origin_known)


# -- the merchant's partner points ---------------------------------------------------------------------

async def _read(merchant_id: int, body: object) -> dict[str, Any]:
    async with engine.read():
        merchant = await Merchant.select(Merchant.locale).where(Merchant.id == merchant_id).first()
    clean, errors = rules.read_point(body, (merchant or {}).get("locale") or "en-US")
    if errors:
        raise ValidationFailed(errors)
    return clean


async def add_point(merchant_id: int, body: object, *, now: dt.datetime) -> int:
    clean = await _read(merchant_id, body)
    async with engine.write():
        count = await DropOffPoint.count().where(DropOffPoint.merchant == merchant_id)
        if count >= rules.MAX_POINTS:
            raise DomainError(rules.POINT_LIMIT, "too many drop-off points", n=rules.MAX_POINTS)
        row = DropOffPoint(merchant=merchant_id, created_at=now, updated_at=now, **clean)
        await row.save()
    return int(row.id)


async def update_point(merchant_id: int, point_id: int, body: object, *, now: dt.datetime) -> None:
    await point(merchant_id, point_id)
    clean = await _read(merchant_id, body)
    async with engine.write():
        await DropOffPoint.update({**{getattr(DropOffPoint, k): v for k, v in clean.items()},
                                   DropOffPoint.updated_at: now}).where(
            (DropOffPoint.merchant == merchant_id) & (DropOffPoint.id == point_id))


async def remove_point(merchant_id: int, point_id: int) -> None:
    await point(merchant_id, point_id)
    async with engine.write():
        await DropOffPoint.delete().where((DropOffPoint.merchant == merchant_id) & (DropOffPoint.id == point_id))
