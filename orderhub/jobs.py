"""Background jobs (email outbox, pickup deadlines, tracking poller, ...): each area registers a
periodic coroutine; `orderhub serve` runs them in-process unless --no-jobs, `orderhub jobs` alone."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable

from orderhub.db.clock import Clock
from orderhub.settings import Settings

log = logging.getLogger("orderhub.jobs")

JobFn = Callable[[Settings, Clock], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: JobFn


JOBS: list[Job] = []


def register(job: Job) -> Job:
    if all(j.name != job.name for j in JOBS):
        JOBS.append(job)
    return job


def load_all() -> list[Job]:
    """Import every area's jobs module so that it registers its jobs."""
    import importlib
    import pkgutil

    import orderhub.db as db

    for module in pkgutil.iter_modules(db.__path__):
        try:
            importlib.import_module(f"orderhub.db.{module.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"orderhub.db.{module.name}.jobs":
                raise
    importlib.import_module("orderhub.emails.jobs")  # the email sender lives beside its renderer
    return JOBS


async def run_once(settings: Settings, clock: Clock) -> None:
    for job in load_all():
        try:
            await job.run(settings, clock)
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
            except asyncio.TimeoutError:
                pass

    jobs = load_all()
    log.info("running %d background jobs: %s", len(jobs), ", ".join(j.name for j in jobs) or "none")
    await asyncio.gather(*(loop(job) for job in jobs), stop.wait())
