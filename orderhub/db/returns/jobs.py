"""Returns that were approved but never sent back expire after the merchant's days (policy
`return_ship_within_days`, default 14): counters freed, held stock given back, `return.expired`
notified. Runs hourly; each run is idempotent."""

from __future__ import annotations

from orderhub.db.clock import Clock
from orderhub.db.returns import services
from orderhub.db.schedule import Job
from orderhub.settings import Settings


async def run(settings: Settings, clock: Clock) -> None:
    await services.expire_stale(now=clock())


JOBS: tuple[Job, ...] = (
    Job("returns-expiry", 3600, run),
)
