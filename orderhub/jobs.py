"""Background jobs (email outbox, pickup deadlines, tracking poller, ...): each area declares its
periodic coroutines in db/<area>/jobs.py, listed here; `orderhub serve` runs them in-process unless
--no-jobs, `orderhub jobs` alone."""

from __future__ import annotations

import asyncio
import logging

from orderhub.channels import jobs as channels_jobs
from orderhub.db.clock import Clock
from orderhub.db.feedback import jobs as feedback_jobs
from orderhub.db.outbox import jobs as outbox_jobs
from orderhub.db.pickup import jobs as pickup_jobs
from orderhub.db.returns import jobs as returns_jobs
from orderhub.db.schedule import Job
from orderhub.db.shipping import jobs as shipping_jobs
from orderhub.emails import jobs as emails_jobs
from orderhub.settings import Settings

log = logging.getLogger("orderhub.jobs")

#: every area's jobs, in a fixed order
JOBS: tuple[Job, ...] = (
    *channels_jobs.JOBS,
    *emails_jobs.JOBS,
    *feedback_jobs.JOBS,
    *outbox_jobs.JOBS,
    *pickup_jobs.JOBS,
    *returns_jobs.JOBS,
    *shipping_jobs.JOBS,
)


async def run_once(settings: Settings, clock: Clock) -> None:
    for job in JOBS:
        try:
            await job.run(settings, clock)
            if job.finish is not None:
                await job.finish(settings, clock)
        except Exception:  # a failing job must not stop the others
            log.exception("job %s failed", job.name)


async def run_forever(settings: Settings, clock: Clock, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()

    async def loop(job: Job) -> None:
        while not stop.is_set():
            try:
                await job.run(settings, clock)
            except Exception:
                log.exception("job %s failed", job.name)
            try:
                await asyncio.wait_for(stop.wait(), timeout=job.every_seconds)
            except TimeoutError:
                pass

    jobs = JOBS
    log.info("running %d background jobs: %s", len(jobs), ", ".join(j.name for j in jobs) or "none")
    await asyncio.gather(*(loop(job) for job in jobs), stop.wait())
