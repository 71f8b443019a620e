"""Security headers on every response (error pages too), client addresses, rate limits."""

from __future__ import annotations

import re

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
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


class Limiter:
    """A moving-window limit with its own store (limiters never share counters)."""

    def __init__(self, amount: int, seconds: int) -> None:
        self.item = RateLimitItemPerSecond(amount, seconds)
        self.storage = MemoryStorage()
        self.strategy = MovingWindowRateLimiter(self.storage)

    def hit(self, key: str) -> bool:
        """Count one attempt; False when the limit is already used up."""
        return self.strategy.hit(self.item, key)

    def allows(self, key: str) -> bool:
        """True while the limit is not used up (counts nothing)."""
        return self.strategy.test(self.item, key)

    def reset(self) -> None:
        self.storage.reset()
