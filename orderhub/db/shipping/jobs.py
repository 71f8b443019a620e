"""The tracking poller (pull mode): asks the configured HTTP tracking provider about every parcel
that is not final and has not been asked within ORDERHUB_TRACKING_POLL_SECONDS; stores new events
through the same service as the API (the unique event key keeps repeats out)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import httpx

from orderhub import outbound
from orderhub.db import engine
from orderhub.db.clock import Clock
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.schedule import Job
from orderhub.db.shipping import services
from orderhub.db.shipping.clients import Provider, ProviderError, RateLimiter, fetch_tracking
from orderhub.db.shipping.tables import Shipment
from orderhub.settings import Settings

log = logging.getLogger("orderhub.shipping.poller")
_limiters: dict[str, RateLimiter] = {}


def provider_for(settings: Settings) -> Provider | None:
    if not settings.tracking_provider_url:
        return None
    return Provider(settings.tracking_provider_url, settings.tracking_provider_key)


async def _announce(order_id: int, final: bool) -> None:
    """Open pages in web workers hear about it through PostgreSQL NOTIFY (same channel names as
    orderhub.site.live.topic); on SQLite the pages' polling fallback picks it up."""
    if engine.current_engine().engine_type == "postgres":
        await Shipment.raw("SELECT pg_notify({}, {})", f"order.{order_id}", "final" if final else "update")


async def poll_once(provider: Provider, client: httpx.AsyncClient, now: dt.datetime, *,
                    limiter: RateLimiter | None = None, every: dt.timedelta = dt.timedelta(minutes=15)) -> dict[str, Any]:
    """One round: {"polled", "accepted", "duplicates", "failed"}."""
    limiter = limiter or _limiters.setdefault(provider.base_url, RateLimiter(provider.rate_per_second))
    totals = {"polled": 0, "accepted": 0, "duplicates": 0, "failed": 0}
    for ship in await services.shipments_to_poll(now, every=every):
        totals["polled"] += 1
        try:
            body = await fetch_tracking(client, provider, ship.carrier, ship.tracking_number, limiter=limiter)
            if body is not None:
                body = {**body, "carrier": ship.carrier, "tracking_number": ship.tracking_number}
                result = await services.ingest_events(ship.merchant_id, body, source="poller", now=now)
                totals["accepted"] += result.accepted
                totals["duplicates"] += result.duplicates
                if result.accepted:
                    for order_id, final in result.orders.items():
                        await _announce(order_id, final)
        except (ProviderError, ValidationFailed, NotFound) as exc:
            totals["failed"] += 1
            log.warning("tracking %s %s: %s", ship.carrier, ship.tracking_number, exc)
        await services.mark_polled(ship.id, now)
    return totals


async def run(settings: Settings, clock: Clock) -> None:
    provider = provider_for(settings)
    if provider is None:
        return
    async with outbound.client(allow=settings.allow_internal_hosts, timeout=provider.timeout_seconds) as client:
        totals = await poll_once(provider, client, clock(), every=dt.timedelta(seconds=settings.tracking_poll_seconds))
    if totals["polled"]:
        log.info("tracking poller: %s", totals)


JOBS: tuple[Job, ...] = (
    Job("tracking-poller", 60, run),
)
