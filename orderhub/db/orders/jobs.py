"""Orders unshipped past their processing promise get `order.delayed` (db/orders/delays.py), once
per expected ship date. Runs every 15 minutes; each run is idempotent and safe beside another."""

from __future__ import annotations

from orderhub.db.clock import Clock
from orderhub.db.orders import delays
from orderhub.db.schedule import Job
from orderhub.settings import Settings


async def run(settings: Settings, clock: Clock) -> None:
    await delays.announce_delays(clock())


JOBS: tuple[Job, ...] = (
    Job("orders-delays", 900, run),
)
