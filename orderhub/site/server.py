"""How `orderhub serve` runs uvicorn: bounded against slow and greedy clients.

- Request headers must arrive whole within `header_timeout_seconds` of the connection opening (or of
  the first byte of the next request on a kept-alive connection); a client trickling them is
  disconnected (`GuardedHttpToolsProtocol`; uvicorn itself only times out idle kept-alive
  connections). A request being answered (an SSE stream) has no deadline.
- Headers larger than `max_header_bytes` are refused with 431 as soon as that many bytes came
  without the end of the headers (and the parser's own count of each request's URL and headers,
  pipelined ones included, answers 400 beyond it).
- The parser is httptools (llhttp, in C): a request's parsing costs a fraction of h11's in Python
  (docs/performance.md).
- At most `max_connections` connections and requests at once (`limit_concurrency`; beyond: 503).
- An idle kept-alive connection closes after `keep_alive_seconds`.
The reverse proxy in compose.yaml (Caddy) applies the same limits in front and terminates TLS.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from orderhub.settings import Settings


class HeaderTooLarge(Exception):
    """Raised from the parser's callback when one request's headers pass the limit (uvicorn answers 400)."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (llhttp, in C) with a deadline for each request's headers and a
    limit on their size."""

    _header_deadline: asyncio.TimerHandle | None = None
    _waiting_for_headers = True  # from the connection's start, and again after each request
    _head_size = 0  # bytes of the headers seen so far (the raw stream, up to their end)
    _parsed_size = 0  # the same, as the parser reports them (a second line behind the first)
    _tail = b""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_headers and self._headers_too_large(data):
            self._disarm_header_deadline()
            self.transport.write(TOO_LARGE)
            self.transport.close()
            return
        super().data_received(data)
        if self._waiting_for_headers and self._head_size:  # a request's headers have begun, not ended
            if self._header_deadline is None and not self.transport.is_closing():
                self._arm_header_deadline()

    # the parser's callbacks
    def on_message_begin(self) -> None:
        self._waiting_for_headers, self._parsed_size = True, 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._count_parsed(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_parsed(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._waiting_for_headers, self._head_size, self._tail = False, 0, b""
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._waiting_for_headers = True  # the next request's deadline starts with its first byte

    def _count_parsed(self, size: int) -> None:
        """Pipelined requests in one packet are not counted by `_headers_too_large`: the parser's own
        count stops them (HttpParserCallbackError -> uvicorn's 400)."""
        self._parsed_size += size
        if self._parsed_size > _limits().max_header_bytes:
            raise HeaderTooLarge()

    def _headers_too_large(self, data: bytes) -> bool:
        """Counts the bytes of the headers still coming (up to their end if it is in `data`)."""
        seen = self._tail + data
        end = seen.find(b"\r\n\r\n")
        self._head_size += len(data) if end < 0 else max(0, end + 4 - len(self._tail))
        self._tail = seen[-3:]
        return self._head_size > _limits().max_header_bytes

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._header_deadline = self.loop.call_later(_limits().header_timeout_seconds, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._waiting_for_headers and not self.transport.is_closing():
            self.transport.close()


@functools.cache
def _limits() -> Settings:
    """From the environment, once per process (uvicorn's worker processes build their own protocols)."""
    return Settings.from_env(need_secret=False)


_TOO_LARGE_TEXT = b"Request header fields too large."
TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
             b"connection: close\r\ncontent-length: " + str(len(_TOO_LARGE_TEXT)).encode() + b"\r\n\r\n"
             + _TOO_LARGE_TEXT)


#: how long a worker may take to answer the supervisor's health check (`--workers N`)
WORKER_HEALTHCHECK_SECONDS = 60


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments `orderhub serve` hands uvicorn.run."""
    return {
        "http": GuardedHttpToolsProtocol,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "access_log": settings.access_log,
        "proxy_headers": False,
        "server_header": False,
        "log_level": "info",
        # with --workers N, a worker that does not answer the supervisor's ping in time is killed and
        # started again; importing the app takes seconds on a busy 2-core host (5 s, uvicorn's
        # default, ended every worker in a loop under load)
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS,
    }
