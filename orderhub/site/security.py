"""Security headers on every response (error pages too), client addresses, rate limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from limits import RateLimitItemPerSecond
from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(self), geolocation=(), microphone=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
}
PRIVATE = {"cache-control": "no-store", "x-robots-tag": "noindex, nofollow"}
#: documents our own pages show in a sandboxed iframe: an email's HTML, with the inline styles that
#: mail clients need, and nothing else (no scripts, no requests but images, framed only by us)
FRAMED_PATHS = ("/admin/emails/preview/frame",)
#: and each sent message of the email log (/admin/emails/<id>/frame)
FRAMED_PATTERN = re.compile(r"^/admin/emails/\d{1,18}/frame$")
FRAMED_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; sandbox; frame-ancestors 'self'"
#: files that are the same for everyone (versioned, cached for a year): only the headers that matter
#: for a script, a stylesheet or a picture, not a document's policies (an SVG keeps the CSP: opened
#: on its own it is a document that could run script)
ASSET_PATHS = ("/static/", "/assets/")
#: a brand's stylesheets are such files too (theme.css is addressed by the merchant's version)
BRAND_STYLESHEETS = r"^/brand/(fonts|[^/]+/theme)\.css$"


def is_asset(path: str) -> bool:
    return path.startswith(ASSET_PATHS) or re.match(BRAND_STYLESHEETS, path) is not None
ASSET_HEADERS = {"x-content-type-options", "strict-transport-security"}

#: public snippets a merchant's storefront may frame (product reviews): they set their own CSP, whose
#: frame-ancestors names the merchant's storefront origin, and it is kept (no X-Frame-Options then)
EMBED_PATHS = ("/embed/",)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """before_send hook: runs for every response, including 404s for unknown paths."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    path = scope.get("path", "")
    if is_asset(path):
        for name in ASSET_HEADERS | ({"content-security-policy"} if path.endswith(".svg") else set()):
            headers[name] = HEADERS[name]
        return
    own_csp = headers.get("content-security-policy")
    for name, value in HEADERS.items():
        headers[name] = value
    if own_csp and path.startswith(EMBED_PATHS):
        headers["content-security-policy"] = own_csp
        del headers["x-frame-options"]
    elif own_csp and "sandbox" in own_csp:  # a stored picture's own, stricter policy is never replaced
        headers["content-security-policy"] = own_csp
    if path.startswith(FRAMED_PATHS) or FRAMED_PATTERN.match(path):
        headers["content-security-policy"] = FRAMED_CSP
        headers["x-frame-options"] = "SAMEORIGIN"
    for name, value in PRIVATE.items():
        if name not in headers:
            headers[name] = value


def client_address(request: Request, trusted_proxy: str) -> str:
    """The client's address; X-Forwarded-For only when the direct peer is the trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    if trusted_proxy and peer == trusted_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return peer


class Counters(Protocol):
    """Where limiters count: the database (the default) or Redis (`ORDERHUB_REDIS_URL`). Either way
    every worker of every process shares the counts, and a restart keeps them."""

    async def hit(self, name: str, key: str, amount: int, seconds: int, now: Any) -> bool: ...
    async def allows(self, name: str, key: str, amount: int, seconds: int, now: Any) -> bool: ...
    async def clear(self, name: str) -> None: ...


class DatabaseCounters:
    """Windowed counters in the `rate_counters` table (`orderhub.db.security.limits`)."""

    async def hit(self, name: str, key: str, amount: int, seconds: int, now: Any) -> bool:
        from orderhub.db.security import limits

        return await limits.hit(name, key, amount, seconds, now)

    async def allows(self, name: str, key: str, amount: int, seconds: int, now: Any) -> bool:
        from orderhub.db.security import limits

        return await limits.allows(name, key, amount, seconds, now)

    async def clear(self, name: str) -> None:
        from orderhub.db.security import limits

        await limits.clear(name)


class RedisCounters:
    """The `limits` library's moving window in Redis (the `redis` extra); Redis's own clock."""

    def __init__(self, url: str) -> None:
        from limits.aio.storage import RedisStorage
        from limits.aio.strategies import MovingWindowRateLimiter

        self.storage = RedisStorage(f"async+{url}", implementation="redispy")
        self.strategy = MovingWindowRateLimiter(self.storage)

    async def hit(self, name: str, key: str, amount: int, seconds: int, now: Any) -> bool:
        return await self.strategy.hit(RateLimitItemPerSecond(amount, seconds, namespace=name), key)

    async def allows(self, name: str, key: str, amount: int, seconds: int, now: Any) -> bool:
        return await self.strategy.test(RateLimitItemPerSecond(amount, seconds, namespace=name), key)

    async def clear(self, name: str) -> None:
        await self.storage.reset()


def counters_for(redis_url: str) -> Counters:
    return RedisCounters(redis_url) if redis_url else DatabaseCounters()


class Limiter:
    """A limit of `amount` hits per `seconds` for each key, under its own name (limiters never share
    counters: page views never use up the lookup budget)."""

    def __init__(self, name: str, amount: int, seconds: int, counters: Counters,
                 clock: Callable[[], Any]) -> None:
        self.name, self.amount, self.seconds = name, amount, seconds
        self.counters = counters
        self.clock = clock

    async def hit(self, key: str) -> bool:
        """Count one attempt; False when the limit is used up."""
        return await self.counters.hit(self.name, key, self.amount, self.seconds, self.clock())

    async def allows(self, key: str) -> bool:
        """True while the limit is not used up (counts nothing)."""
        return await self.counters.allows(self.name, key, self.amount, self.seconds, self.clock())

    async def reset(self) -> None:
        await self.counters.clear(self.name)


def limiter(state: Any, name: str, amount: int, seconds: int) -> Limiter:
    """The app's limiter of this name (made on first use, counting in the app's counters)."""
    found: dict[str, Limiter] = state.limiters
    if name not in found:
        found[name] = Limiter(name, amount, seconds, state.counters, state.clock)
    return found[name]
