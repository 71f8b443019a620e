"""Writes for catalog and orders: idempotent upserts from the storefront, token revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from orderhub.db import engine
from orderhub.db.channels import rules as channel_rules
from orderhub.db.channels import services as channels
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant, Store
from orderhub.db.orders import rules
from orderhub.db.orders.tables import Order, OrderLine, Product
from orderhub.db.outbox import services as outbox
from orderhub.db.tokens import hub_token, token_hash


def body_hash(body: object) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def upsert_product(merchant: Merchant, product_id: str, body: object, *, now: dt.datetime) -> tuple[bool, dict[str, Any]]:
    product, errors = rules.read_product(body, product_id, merchant.currency, merchant.locale)
    if errors:
        raise ValidationFailed(errors)
    key = scoped(merchant.id, product_id)
    async with engine.write():
        existing = await Product.objects().output(load_json=True).where(Product.key == key).first()
        if existing is None:
            await Product(merchant=merchant.id, key=key, external_id=product_id, updated_at=now, **product).save()
            return True, {"id": product_id, **product}
        if any(getattr(existing, k) != v for k, v in product.items()):
            await Product.update({**{getattr(Product, k): v for k, v in product.items()}, Product.updated_at: now}).where(
                Product.key == key
            )
    return False, {"id": product_id, **product}


@dataclass(frozen=True)
class OrderRef:
    id: int
    number: str
    token: str
    created: bool


async def upsert_order(merchant: Merchant, external_id: str, body: object, *, token_key: bytes,
                       now: dt.datetime) -> OrderRef:
    if not (0 < len(external_id) <= 200):
        raise ValidationFailed([{"field": "external_id", "message": "must be 1 to 200 characters"}])
    digest = body_hash(body)
    key = scoped(merchant.id, external_id)
    async with engine.write():
        existing = await Order.objects().output(load_json=True).where(Order.key == key).first()
        if existing is not None and existing.body_hash == digest:
            return OrderRef(existing.id, existing.number, hub_token(token_key, key, existing.token_generation), False)
        stores = {s["code"] for s in await Store.select(Store.code).where(Store.merchant == merchant.id)}
        order, errors = rules.read_order(body, stores)
        if errors:
            raise ValidationFailed(errors)
        lines = order.pop("lines")
        ful = order["fulfillment"]
        values = {
            "number": order["number"],
            "placed_at": order["placed_at"],
            "currency": order["currency"],
            "locale": order["locale"] or merchant.locale,
            "prices_include_tax": order["prices_include_tax"],
            "customer": order["customer"],
            "customer_email": rules.normalize_email(order["customer"]["email"]),
            "shipping_address": order["shipping_address"],
            "fulfillment": {**ful, "promised_date": ful["promised_date"].isoformat() if ful["promised_date"] else None},
            "fulfillment_type": ful["type"],
            "promised_date": ful["promised_date"],
            "discounts": order["discounts"],
            "payment": order["payment"],
            "shipping_minor": order["shipping_minor"],
            "shipping_tax_rate": order["shipping_tax_rate"],
            "subtotal_minor": order["subtotal_minor"],
            "discount_minor": order["discount_minor"],
            "tax_minor": order["tax_minor"],
            "total_minor": order["total_minor"],
            "body_hash": digest,
            "updated_at": now,
        }
        if existing is None:
            token = hub_token(token_key, key, 1)
            row = Order(merchant=merchant.id, key=key, external_id=external_id, token_hash=token_hash(token),
                        token_generation=1, created_at=now, **values)
            await row.save()
            order_id, created = row.id, True
            await _storefront_sms_consent(merchant.id, order_id, order["customer"], now)
            await outbox.notify(merchant.id, "order.confirmed", {"order_id": external_id, "number": values["number"],
                                                          "fulfillment_type": values["fulfillment_type"]},
                         order_id=order_id, now=now)
        else:
            token = hub_token(token_key, key, existing.token_generation)
            await Order.update({**{getattr(Order, k): v for k, v in values.items()}, Order.version: Order.version + 1}).where(
                Order.id == existing.id
            )
            order_id, created = existing.id, False
            await _storefront_sms_consent(merchant.id, order_id, order["customer"], now)
        await _sync_lines(order_id, lines)
    return OrderRef(order_id, values["number"], token, created)


async def _storefront_sms_consent(merchant_id: int, order_id: int, customer: dict[str, Any], now: dt.datetime) -> None:
    """`customer.sms_consent` in the order body: the storefront's consent (or withdrawal), recorded
    once with its time and source."""
    consent = customer.get("sms_consent")
    if consent is None:
        return
    active = await channels.linked(channel_rules.SMS, merchant_id, order_id)
    if consent and not active:
        await channels.sms_consent(merchant_id, order_id, source="storefront", now=now)
    elif not consent and active:
        await channels.withdraw(merchant_id, order_id, channel_rules.SMS, source="storefront", now=now)


async def _sync_lines(order_id: int, lines: list[dict[str, Any]]) -> None:
    current = {ln.line_id: ln for ln in await OrderLine.objects().output(load_json=True).where(OrderLine.order == order_id)}
    wanted = {ln["line_id"] for ln in lines}
    errors = []
    for line_id, row in current.items():
        if line_id not in wanted:
            if row.fulfilled_quantity or row.requested_quantity or row.received_quantity:
                errors.append({"field": "lines", "message": f"line {line_id} has been shipped or returned and cannot be removed"})
            else:
                await OrderLine.delete().where(OrderLine.id == row.id)
    for i, line in enumerate(lines):
        stored = current.get(line["line_id"])
        if stored is None:
            await OrderLine(order=order_id, key=scoped(order_id, line["line_id"]), **line).save()
            continue
        busy = max(stored.fulfilled_quantity, stored.requested_quantity, stored.received_quantity)
        if line["quantity"] < busy:
            errors.append({"field": f"lines[{i}].quantity", "message": f"cannot be below the {busy} already shipped or returned"})
            continue
        await OrderLine.update({getattr(OrderLine, k): v for k, v in line.items()}).where(OrderLine.id == stored.id)
    if errors:
        raise ValidationFailed(errors)


async def revoke_hub_token(merchant_id: int, external_id: str, *, token_key: bytes, now: dt.datetime) -> str:
    """A new link for the order; the old one opens nothing from now on. The new link is issued
    `now`: a merchant's link expiry gives it the whole period from here (rules.link_expires_at)."""
    if not (0 < len(external_id) <= 200) or "\x00" in external_id:  # no stored id is like that (PostgreSQL refuses NUL)
        raise NotFound("order.not_found", "no such order", field="external_id")
    key = scoped(merchant_id, external_id)
    async with engine.write():
        order = await Order.select(Order.id, Order.token_generation).where(Order.key == key).first()
        if order is None:
            raise NotFound("order.not_found", "no such order", field="external_id")
        return await _issue(order["id"], key, order["token_generation"] + 1, token_key, now)


async def renew_expired_link(order_id: int, generation: int, *, token_key: bytes, now: dt.datetime) -> str:
    """The lookup found this order and its link (`generation`) has expired: a new link issued `now`
    (the expired one then opens nothing, like a revoked one). Of two lookups at once, the second gets
    the link the first issued."""
    async with engine.write():
        order = await Order.select(Order.key, Order.token_generation).where(Order.id == order_id).first()
        if order is None:
            raise NotFound("order.not_found", "no such order")
        if order["token_generation"] != generation:  # renewed (or revoked) meanwhile: that link is new
            return hub_token(token_key, order["key"], order["token_generation"])
        return await _issue(order_id, order["key"], generation + 1, token_key, now)


async def _issue(order_id: int, key: str, generation: int, token_key: bytes, now: dt.datetime) -> str:
    token = hub_token(token_key, key, generation)
    await Order.update({Order.token_generation: generation, Order.token_hash: token_hash(token),
                        Order.link_issued_at: now}).where(Order.id == order_id)
    return token
