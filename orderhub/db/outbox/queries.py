"""Reads for the outbox: endpoints and the delivery log of one merchant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orderhub.db import engine
from orderhub.db.outbox import rules
from orderhub.db.outbox.tables import WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class EndpointView:
    id: int
    url: str
    #: event names it wants ("*" for all, "pickup.*" for a group)
    events: list[str]
    active: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event_id: str
    event: str
    order_id: int | None
    state: str
    attempts: int
    last_status: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    next_attempt_at: dt.datetime
    #: the endpoint's URL
    url: str

    @property
    def retryable(self) -> bool:
        """The merchant may send it again at once."""
        return self.state in rules.RETRYABLE


async def endpoints(merchant_id: int) -> list[EndpointView]:
    async with engine.read():
        rows = await WebhookEndpoint.select(
            WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.events, WebhookEndpoint.active,
            WebhookEndpoint.created_at,
        ).where(WebhookEndpoint.merchant == merchant_id).order_by(WebhookEndpoint.id).output(load_json=True)
    return [EndpointView(r["id"], r["url"], list(r["events"] or ["*"]), r["active"], r["created_at"]) for r in rows]


async def deliveries(merchant_id: int, *, state: str | None = None, limit: int = 100) -> list[DeliveryView]:
    async with engine.read():
        query = WebhookDelivery.select(
            WebhookDelivery.id, WebhookDelivery.event_id, WebhookDelivery.event, WebhookDelivery.order_id,
            WebhookDelivery.state, WebhookDelivery.attempts, WebhookDelivery.last_status, WebhookDelivery.last_error,
            WebhookDelivery.created_at, WebhookDelivery.delivered_at, WebhookDelivery.next_attempt_at,
            WebhookDelivery.endpoint.url.as_alias("url"),
        ).where(WebhookDelivery.merchant == merchant_id)
        if state:
            query = query.where(WebhookDelivery.state == state)
        rows = await query.order_by(WebhookDelivery.id, ascending=False).limit(limit)
    return [DeliveryView(
        id=r["id"], event_id=r["event_id"], event=r["event"], order_id=r["order_id"], state=r["state"],
        attempts=r["attempts"], last_status=r["last_status"], last_error=r["last_error"] or "",
        created_at=r["created_at"], delivered_at=r["delivered_at"], next_attempt_at=r["next_attempt_at"],
        url=r["url"] or "",
    ) for r in rows]
