"""Every outbound HTTP call (merchant webhooks, tracking providers, any merchant-supplied URL) goes
through `client()`: an httpx client that cannot reach internal addresses.

- The host name is resolved once per connection, by us; if any address it resolves to is loopback,
  private, link-local, reserved, multicast or unspecified (IPv4-mapped, 6to4 and NAT64 forms are
  unwrapped first; decimal, hex and octal spellings of IPv4 resolve like any name), nothing is sent.
- The connection is made to the address that was checked (a custom httpcore network backend), while
  TLS SNI and the `Host` header keep the URL's name: a DNS answer that changes between check and
  connect (rebinding) cannot redirect us.
- No redirects, no proxies from the environment.
- `ORDERHUB_ALLOW_INTERNAL_HOSTS` names hosts (as written in the URL) that may resolve to internal
  addresses, for self-hosters and for tests with a local receiver.

Callers log one generic message for any transport failure (db/outbox/rules.GENERIC_ERROR), so
connect errors never tell port states apart.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedAddress(httpcore.ConnectError):
    """The host resolves to an address outbound calls may not reach (httpx raises it as ConnectError)."""


def forbidden_address(ip: IPAddress) -> bool:
    """True for anything but a public unicast address, looking inside IPv6 forms that carry IPv4."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return forbidden_address(embedded)
        if ip.teredo or ip.is_site_local:
            return True
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
            or ip.is_multicast or ip.is_unspecified)


def normalize_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def host_allowed(host: str, allow: Collection[str]) -> bool:
    return normalize_host(host) in {normalize_host(h) for h in allow}


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (inet_aton forms like 2130706433 included)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def checked_addresses(host: str, port: int, *, allow: Collection[str], resolver: Resolver) -> list[str]:
    """The addresses to connect to, or RefusedAddress. An allowed host is resolved the same way but
    not checked."""
    try:
        addresses = await resolver(normalize_host(host), port)
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}") from exc
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host}")
    if not host_allowed(host, allow):
        for address in addresses:
            if forbidden_address(ipaddress.ip_address(address.split("%", 1)[0])):
                raise RefusedAddress(f"{host} resolves to an address outbound calls may not reach")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks and connects to the checked address in one step (pinned)."""

    def __init__(self, allow: Collection[str], resolver: Resolver = system_resolver,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.allow = tuple(allow)
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses = await checked_addresses(host, port, allow=self.allow, resolver=self.resolver)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise RefusedAddress("unix sockets are not reachable from outbound calls")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Built once per process (loading the CA bundle takes milliseconds)."""
    return httpx.create_ssl_context()


def client(*, allow: Collection[str] = (), timeout: float | httpx.Timeout = 10.0,
           resolver: Resolver = system_resolver, inner: httpcore.AsyncNetworkBackend | None = None,
           max_connections: int = 100) -> httpx.AsyncClient:
    """The one way to make an outbound httpx client (use it as `async with`)."""
    context = _ssl_context()
    transport = httpx.AsyncHTTPTransport(verify=context, trust_env=False, retries=0)
    transport._pool = httpcore.AsyncConnectionPool(  # noqa: SLF001 — httpx takes no network backend
        ssl_context=context, max_connections=max_connections, max_keepalive_connections=20, keepalive_expiry=5.0,
        http1=True, http2=False, retries=0, network_backend=GuardedBackend(allow, resolver, inner),
    )
    return httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False)


async def reaches_internal(url: str, *, allow: Collection[str] = (), resolver: Resolver = system_resolver,
                      timeout: float = 3.0) -> bool:
    """When a merchant saves a URL: True when its host is (or resolves to) an internal address.
    A name that does not resolve now is not refused here (DNS may be down); delivery checks again."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return True
    try:
        async with asyncio.timeout(timeout):
            await checked_addresses(host, port, allow=allow, resolver=resolver)
    except RefusedAddress:
        return True
    except (httpcore.ConnectError, TimeoutError, UnicodeError, ValueError):
        return False
    return False
