"""The webhook sender: every few seconds, deliver what is due."""

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


JOBS: tuple[Job, ...] = (
    Job("outbound webhooks", 5.0, send_webhooks),
)
