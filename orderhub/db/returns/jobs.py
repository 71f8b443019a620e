"""Returns that were approved but never sent back expire after the merchant's days (policy
`return_ship_within_days`, default 14): counters freed, held stock given back, `return.expired`
notified. Runs hourly; each run is idempotent. Return labels are made every few seconds
(label_jobs.create_due) through the outbound guard."""

from __future__ import annotations

import httpx

from orderhub import outbound
from orderhub.db.clock import Clock
from orderhub.db.returns import label_jobs, services
from orderhub.db.schedule import Job
from orderhub.settings import Settings


async def run(settings: Settings, clock: Clock) -> None:
    await services.expire_stale(now=clock())


async def make_labels(settings: Settings, clock: Clock, *, client: httpx.AsyncClient | None = None) -> dict[str, int]:
    """One pass of the label job (each label claimed with the clock read afresh); `client`: another HTTP
    client (tests hand a MockTransport)."""
    now = clock()
    if client is not None:
        return await label_jobs.create_due(client, secret_key=settings.secret_key, api_url=settings.labels_api_url,
                                           now=now, clock=clock)
    async with outbound.client(allow=settings.allow_internal_hosts, timeout=30.0) as own:
        return await label_jobs.create_due(own, secret_key=settings.secret_key, api_url=settings.labels_api_url,
                                           now=now, clock=clock)


JOBS: tuple[Job, ...] = (
    Job("returns-expiry", 3600, run),
    Job("return-labels", 15, make_labels),
)
