"""Reads for the outbox: endpoints and the delivery log of one merchant."""

from __future__ import annotations

from orderhub.db import engine
from orderhub.db.outbox.tables import WebhookDelivery, WebhookEndpoint


async def endpoints(merchant_id: int) -> list[dict]:
    async with engine.read():
        return await WebhookEndpoint.select(
            WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.events, WebhookEndpoint.active,
            WebhookEndpoint.created_at,
        ).where(WebhookEndpoint.merchant == merchant_id).order_by(WebhookEndpoint.id).output(load_json=True)


async def deliveries(merchant_id: int, *, state: str | None = None, limit: int = 100) -> list[dict]:
    async with engine.read():
        query = WebhookDelivery.select(
            WebhookDelivery.id, WebhookDelivery.event_id, WebhookDelivery.event, WebhookDelivery.order_id,
            WebhookDelivery.state, WebhookDelivery.attempts, WebhookDelivery.last_status, WebhookDelivery.last_error,
            WebhookDelivery.created_at, WebhookDelivery.delivered_at, WebhookDelivery.next_attempt_at,
            WebhookDelivery.endpoint.url.as_alias("url"),
        ).where(WebhookDelivery.merchant == merchant_id)
        if state:
            query = query.where(WebhookDelivery.state == state)
        return await query.order_by(WebhookDelivery.id, ascending=False).limit(limit)
