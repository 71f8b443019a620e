"""Pickup deadlines: expire ready pickups past their deadline, and record (and notify) a reminder
REMINDER_BEFORE ahead of it. Runs every few minutes; each run is idempotent."""

from __future__ import annotations

from orderhub.db import engine
from orderhub.db.clock import Clock
from orderhub.db.pickup import rules, services
from orderhub.db.pickup.tables import Pickup
from orderhub.db.schedule import Job
from orderhub.settings import Settings


async def _announce(order_ids: list[int], final: bool) -> None:
    """Open pages in web workers hear about it through PostgreSQL NOTIFY (channel names as
    orderhub.site.live.topic); on SQLite the pages' polling fallback picks it up."""
    if engine.current_engine().engine_type != "postgres":
        return
    for order_id in order_ids:
        await Pickup.raw("SELECT pg_notify({}, {})", f"pickup.{order_id}", "final" if final else "update")


async def run(settings: Settings, clock: Clock) -> None:
    result = await services.run_deadlines(now=clock())
    await _announce(result.expired, rules.is_final(rules.EXPIRED))


JOBS: tuple[Job, ...] = (
    Job("pickup-deadlines", 300, run),
)
