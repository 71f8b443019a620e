"""The allowed-hosts check with an answer a person can act on.

Litestar's own check (AllowedHostsConfig) answers a bare `{"message":"invalid host header"}`. This
middleware makes the same decision (exact names, `*.example.com` wildcards, `*` for any) and raises
`UnknownHost`, which site/errors.py turns into a page in the visitor's language, or JSON for the API,
naming the address the server does answer to and the setting that adds another.
"""

from __future__ import annotations

from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send


class UnknownHost(HTTPException):
    status_code = 400

    def __init__(self, host: str) -> None:
        super().__init__(detail="invalid host header")
        self.host = host


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower()
    if not host or not host.split(":")[0]:
        return False
    for name in allowed:
        name = name.lower()
        if name == "*" or name == host:
            return True
        if name.startswith("*.") and host.split(":")[0].endswith(name[1:]):
            return True
    return False


class AllowedHosts(ASGIMiddleware):
    """Refuses a request whose Host header is not one of `allowed` (HTTP and websockets)."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = allowed

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        host = Headers.from_scope(scope).get("host", "")
        if not host_allowed(host, self.allowed):
            raise UnknownHost(host[:200])
        await next_app(scope, receive, send)
