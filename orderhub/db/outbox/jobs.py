"""The outbox's jobs: every second, start sending the webhooks that are due (in the background, per
endpoint at most rules.PER_ENDPOINT at once, so a slow endpoint never holds up the next round or
another merchant); every few minutes, announce the parcels that arrive tomorrow (an event like any
other: webhooks and the shopper's email). Wiring only: rules and writes live in rules/services."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable

import httpx

from orderhub import outbound
from orderhub.db.clock import Clock
from orderhub.db.outbox import rules, services
from orderhub.db.schedule import Job
from orderhub.settings import Settings


class Dispatcher:
    """One per event loop: each round starts workers for endpoints with due deliveries and room for
    more sends, and returns without waiting for them."""

    def __init__(self, make_client: Callable[[], httpx.AsyncClient], *, per_endpoint: int = rules.PER_ENDPOINT,
                 timeout: float = rules.DELIVERY_TIMEOUT_SECONDS, limit: int = 200) -> None:
        self.make_client = make_client
        self.per_endpoint, self.timeout, self.limit = per_endpoint, timeout, limit
        self.running: dict[int, set[asyncio.Task[None]]] = {}
        self.counts = {"delivered": 0, "retry": 0, "dead": 0}

    async def round(self, clock: Clock) -> int:
        """-> how many workers were started."""
        started = 0
        for endpoint_id, ids in (await services.due_by_endpoint(clock(), self.limit)).items():
            tasks = self.running.setdefault(endpoint_id, set())
            room = self.per_endpoint - len(tasks)
            if room <= 0:
                continue
            for task in [asyncio.create_task(self._work(ids, clock, room))]:
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                started += 1
        return started

    async def _work(self, ids: list[int], clock: Clock, workers: int) -> None:
        async with self.make_client() as client:
            await asyncio.gather(*services.workers_for(client, ids, clock, self.counts, per_endpoint=workers,
                                                       timeout=self.timeout))

    def busy(self) -> bool:
        return any(self.running.values())

    async def drain(self) -> None:
        while self.busy():
            await asyncio.gather(*(t for tasks in self.running.values() for t in tasks), return_exceptions=True)


_dispatchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dispatcher] = weakref.WeakKeyDictionary()


def dispatcher(settings: Settings) -> Dispatcher:
    loop = asyncio.get_running_loop()
    if loop not in _dispatchers:
        _dispatchers[loop] = Dispatcher(lambda: outbound.client(allow=settings.allow_internal_hosts,
                                                                timeout=rules.DELIVERY_TIMEOUT_SECONDS))
    return _dispatchers[loop]


async def send_webhooks(settings: Settings, clock: Clock) -> None:
    await services.release_stuck(now=clock())
    await dispatcher(settings).round(clock)


async def finish_webhooks(settings: Settings, clock: Clock) -> None:
    await dispatcher(settings).drain()


async def arriving_tomorrow(settings: Settings | None, clock: Clock) -> int:
    """`shipment.arriving_tomorrow` for each parcel whose estimate is tomorrow (once per estimate)."""
    return await services.announce_arriving_tomorrow(now=clock())


async def _arriving_tomorrow(settings: Settings, clock: Clock) -> None:
    await arriving_tomorrow(settings, clock)


JOBS: tuple[Job, ...] = (
    Job("outbound webhooks", 1.0, send_webhooks, finish_webhooks),
    Job("arriving tomorrow emails", 600.0, _arriving_tomorrow),
)
