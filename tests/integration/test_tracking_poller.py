"""The tracking poller end to end with httpx.MockTransport: events stored once, final parcels left alone."""

from __future__ import annotations

import httpx

from orderhub.db import engine
from orderhub.db.shipping import jobs
from orderhub.db.shipping.clients import Provider, RateLimiter
from orderhub.db.shipping.tables import Shipment, TrackingEvent
from orderhub.settings import Settings
from tests.conftest import fixture
from tests.tracking_support import put_shipment


async def test_poller_fetches_stores_once_and_stops_when_final(client, merchants, orders, clock):
    _, key, _ = merchants["yamakaze"]
    await put_shipment(client, key)
    data = fixture("tracking/yamato_delivered.json")
    served = {"events": data["events"][:3]}
    calls = []

    def handler(request: httpx.Request):
        calls.append(str(request.url))
        if "0000" in str(request.url):
            return httpx.Response(404)
        return httpx.Response(200, json={"carrier": "yamato", "tracking_number": "4012-3456-7890", **served})

    provider = Provider("https://provider.test/v1", "secret", rate_per_second=1000)
    limiter = RateLimiter(1000)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        first = await jobs.poll_once(provider, http, clock(), limiter=limiter)
        assert first == {"polled": 1, "accepted": 3, "duplicates": 0, "failed": 0}
        assert calls == ["https://provider.test/v1/trackings/yamato/4012-3456-7890"]
        # asked again too soon: nothing happens
        assert (await jobs.poll_once(provider, http, clock(), limiter=limiter))["polled"] == 0
        clock.advance(minutes=16)
        served["events"] = data["events"]
        second = await jobs.poll_once(provider, http, clock(), limiter=limiter)
        assert second == {"polled": 1, "accepted": 2, "duplicates": 3, "failed": 0}
        clock.advance(hours=2)
        assert (await jobs.poll_once(provider, http, clock(), limiter=limiter))["polled"] == 0  # delivered: final
    async with engine.read():
        assert await TrackingEvent.count() == 5
        assert (await Shipment.select(Shipment.status).first())["status"] == "delivered"


async def test_poller_survives_a_failing_provider(client, merchants, orders, clock):
    _, key, _ = merchants["yamakaze"]
    await put_shipment(client, key)
    provider = Provider("https://provider.test", "secret", retries=1, backoff_seconds=0.0, rate_per_second=1000)
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(500))) as http:
        result = await jobs.poll_once(provider, http, clock(), limiter=RateLimiter(1000))
    assert result == {"polled": 1, "accepted": 0, "duplicates": 0, "failed": 1}


def test_poller_is_off_without_a_provider():
    assert jobs.provider_for(Settings(secret_key="x" * 40)) is None
    assert jobs.provider_for(Settings(secret_key="x" * 40, tracking_provider_url="https://p.test")).base_url == "https://p.test"
