"""Pull mode: fetch a parcel's tracking from an HTTP tracking provider with httpx.

`GET {base_url}/trackings/{carrier}/{tracking_number}` with `Authorization: Bearer <key>` answers
the same body as POST /api/v1/tracking-events (`{"carrier", "tracking_number", "events"}`).
Timeouts, retries with exponential backoff (honouring Retry-After), and a per-provider rate limit.
The caller hands in the `httpx.AsyncClient`, so tests use `httpx.MockTransport`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

Sleep = Callable[[float], Awaitable[None]]


class ProviderError(Exception):
    """The provider refused the request or kept failing after every retry."""


@dataclass
class Provider:
    base_url: str
    api_key: str
    timeout_seconds: float = 10.0
    retries: int = 3
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 30.0
    #: requests per second allowed to this provider
    rate_per_second: float = 5.0


@dataclass
class RateLimiter:
    """Spaces requests at least 1/rate seconds apart (per provider), across concurrent callers."""

    rate_per_second: float
    monotonic: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    _next: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def wait(self) -> None:
        async with self._lock:
            now = self.monotonic()
            if self._next > now:
                await self.sleep(self._next - now)
                now = self._next
            self._next = now + 1.0 / self.rate_per_second


RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


async def fetch_tracking(client: httpx.AsyncClient, provider: Provider, carrier: str, tracking_number: str, *,
                         limiter: RateLimiter, sleep: Sleep = asyncio.sleep) -> dict[str, Any] | None:
    """The provider's events for one parcel, or None when it does not know the parcel (404)."""
    url = f"{provider.base_url}/trackings/{quote(carrier, safe='')}/{quote(tracking_number, safe='')}"
    headers = {"Authorization": f"Bearer {provider.api_key}", "Accept": "application/json"}
    last_error = ""
    for attempt in range(provider.retries + 1):
        await limiter.wait()
        delay = min(provider.backoff_seconds * (2 ** attempt), provider.max_backoff_seconds)
        try:
            response = await client.get(url, headers=headers, timeout=provider.timeout_seconds)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            last_error = f"{type(exc).__name__}"
        else:
            if response.status_code == 404:
                return None
            if response.status_code in RETRY_STATUSES:
                last_error = f"HTTP {response.status_code}"
                delay = max(delay, min(_retry_after(response) or 0.0, provider.max_backoff_seconds))
            elif response.is_success:
                try:
                    body = response.json()
                except ValueError:
                    raise ProviderError("the provider answered with something that is not JSON") from None
                if not isinstance(body, dict):
                    raise ProviderError("the provider's answer is not a JSON object")
                return body
            else:
                raise ProviderError(f"the provider refused the request: HTTP {response.status_code}")
        if attempt < provider.retries:
            await sleep(delay)
    raise ProviderError(f"the provider kept failing ({last_error}) after {provider.retries + 1} attempts")
