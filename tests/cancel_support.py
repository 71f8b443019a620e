"""Helpers for the cancellation tests: an order placed just now (inside the cancel window)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from tests.conftest import bearer, fixture


def fresh_body(name: str = "jp_ship", *, placed: dt.datetime, number: str = "", **extra) -> dict:
    body = fixture(f"orders/{name}.json") | {"placed_at": placed.isoformat()}
    if number:
        body["number"] = number
    return body | extra


async def put_order(client, api_key: str, external_id: str, body: dict):
    return await client.put(f"/api/v1/orders/{external_id}", json=body, headers=bearer(api_key))


async def fresh_order(client, merchants, clock, external_id: str = "fresh-1", name: str = "jp_ship",
                      slug: str = "yamakaze", **extra) -> tuple[str, dict]:
    """An order placed 10 minutes ago; -> (its hub path, the body sent)."""
    body = fresh_body(name, placed=clock() - dt.timedelta(minutes=10), number=f"YK-{external_id}", **extra)
    r = await put_order(client, merchants[slug][1], external_id, body)
    assert r.status_code in (200, 201), r.text
    return urlsplit(r.json()["hub_url"]).path, body


async def set_policy(merchant_id: int, **values) -> None:
    from orderhub.db import engine
    from orderhub.db.merchants.tables import Merchant

    async with engine.write():
        row = await Merchant.select(Merchant.policy).where(Merchant.id == merchant_id).output(load_json=True).first()
        await Merchant.update({Merchant.policy: {**(row["policy"] or {}), **values},
                               Merchant.version: Merchant.version + 1}).where(Merchant.id == merchant_id)


async def order_id_of(external_id: str) -> int:
    from orderhub.db import engine
    from orderhub.db.orders.tables import Order

    async with engine.read():
        return (await Order.select(Order.id).where(Order.external_id == external_id).first())["id"]


async def events(order_id: int) -> list[str]:
    """Outbound webhook events written for the order."""
    from orderhub.db import engine
    from orderhub.db.outbox.tables import WebhookDelivery

    async with engine.read():
        rows = await WebhookDelivery.select(WebhookDelivery.event).where(WebhookDelivery.order_id == order_id).order_by(
            WebhookDelivery.id)
    return [r["event"] for r in rows]


async def emails(order_id: int) -> list[str]:
    from orderhub.db import engine
    from orderhub.db.emails.tables import EmailMessage

    async with engine.read():
        rows = await EmailMessage.select(EmailMessage.event).where(EmailMessage.order_id == order_id).order_by(
            EmailMessage.id)
    return [r["event"] for r in rows]
