"""The pull-mode tracking client against httpx.MockTransport: retries, backoff, timeouts, rate limit."""

from __future__ import annotations

import httpx
import pytest

from orderhub.db.shipping.clients import Provider, ProviderError, RateLimiter, fetch_tracking

BODY = {"carrier": "ups", "tracking_number": "1Z999AA10123456784", "events": []}


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def run(handler, *, retries=3, time=None):
    time = time or FakeTime()
    provider = Provider("https://track.example", "k-123", retries=retries, backoff_seconds=0.5, rate_per_second=1000)
    limiter = RateLimiter(1000, monotonic=time.monotonic, sleep=time.sleep)

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await fetch_tracking(client, provider, "ups", "1Z999AA10123456784", limiter=limiter, sleep=time.sleep)
    return go, time


async def test_success_sends_key_and_path():
    seen = []

    def handler(request: httpx.Request):
        seen.append(request)
        return httpx.Response(200, json=BODY)
    go, _ = run(handler)
    assert await go() == BODY
    assert seen[0].url == "https://track.example/trackings/ups/1Z999AA10123456784"
    assert seen[0].headers["authorization"] == "Bearer k-123"


async def test_retries_with_exponential_backoff_then_succeeds():
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, json=BODY)])
    go, time = run(lambda request: next(answers))
    assert await go() == BODY
    assert [s for s in time.sleeps if s >= 0.5] == [0.5, 1.0]


async def test_timeouts_are_retried():
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json=BODY)
    go, _ = run(handler)
    assert await go() == BODY and len(calls) == 3


async def test_retry_after_is_honoured():
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=BODY)])
    go, time = run(lambda request: next(answers))
    assert await go() == BODY and 7.0 in time.sleeps


async def test_gives_up_after_the_retries():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(500)
    go, _ = run(handler, retries=2)
    with pytest.raises(ProviderError, match="HTTP 500"):
        await go()
    assert len(calls) == 3


@pytest.mark.parametrize("response, result", [
    (httpx.Response(404), None),
])
async def test_unknown_parcel_is_none(response, result):
    go, _ = run(lambda request: response)
    assert await go() is result


@pytest.mark.parametrize("response", [httpx.Response(401), httpx.Response(200, text="<html>"),
                                      httpx.Response(200, json=[1, 2])])
async def test_refusals_and_garbage_raise_without_retry(response):
    calls = []

    def handler(request):
        calls.append(1)
        return response
    go, _ = run(handler)
    with pytest.raises(ProviderError):
        await go()
    assert len(calls) == 1


async def test_rate_limit_spaces_requests():
    time = FakeTime()
    limiter = RateLimiter(2, monotonic=time.monotonic, sleep=time.sleep)
    for _ in range(5):
        await limiter.wait()
    assert time.sleeps == [0.5, 0.5, 0.5, 0.5] and time.now == 2.0
