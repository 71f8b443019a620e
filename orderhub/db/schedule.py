"""A periodic background job of an area: a coroutine run every N seconds by `orderhub jobs` (or
beside the web workers by `orderhub serve`). Each area's db/<area>/jobs.py declares its JOBS; the
runner in orderhub/jobs.py lists the areas explicitly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from orderhub.db.clock import Clock
from orderhub.settings import Settings

#: what a job's coroutine answers (counts, say) is ignored by the runner
JobFn = Callable[[Settings, Clock], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: JobFn
    #: for a job that leaves work running in the background: waits for it (`orderhub jobs --once`)
    finish: JobFn | None = None
