"""The outbox's jobs: every few seconds, deliver the webhooks that are due; every few minutes,
announce the parcels that arrive tomorrow (an event like any other: webhooks and the shopper's email).
Wiring only: rules and writes live in rules/services."""

from __future__ import annotations

import httpx

from orderhub.db.clock import Clock
from orderhub.db.outbox import services
from orderhub.db.schedule import Job
from orderhub.settings import Settings


async def send_webhooks(settings: Settings, clock: Clock) -> None:
    now = clock()
    await services.release_stuck(now=now)
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0), follow_redirects=False) as client:
        await services.deliver_due(client, now=now)


async def arriving_tomorrow(settings: Settings | None, clock: Clock) -> int:
    """`shipment.arriving_tomorrow` for each parcel whose estimate is tomorrow (once per estimate)."""
    return await services.announce_arriving_tomorrow(now=clock())


async def _arriving_tomorrow(settings: Settings, clock: Clock) -> None:
    await arriving_tomorrow(settings, clock)


JOBS: tuple[Job, ...] = (
    Job("outbound webhooks", 5.0, send_webhooks),
    Job("arriving tomorrow emails", 600.0, _arriving_tomorrow),
)
