"""How `orderhub serve` runs uvicorn: bounded against slow and greedy clients.

- Request headers must arrive whole within `header_timeout_seconds` of the connection opening (or of
  the first byte of the next request on a kept-alive connection); a client trickling them is
  disconnected (`GuardedH11Protocol`; uvicorn itself only times out idle kept-alive connections).
- Headers larger than `max_header_bytes` are refused with 431 as soon as that many bytes came
  without the end of the headers (and h11's incomplete-event limit, set to the same figure, answers
  400 to anything it buffers beyond it).
- At most `max_connections` connections and requests at once (`limit_concurrency`; beyond: 503).
- An idle kept-alive connection closes after `keep_alive_seconds`.
The reverse proxy in compose.yaml (Caddy) applies the same limits in front and terminates TLS.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from orderhub.settings import Settings


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers."""

    _header_deadline: asyncio.TimerHandle | None = None
    _head_size = 0
    _tail = b""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._headers_too_large(data):
            self._disarm_header_deadline()
            self.transport.write(TOO_LARGE)
            self.transport.close()
            return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._head_size, self._tail = 0, b""
        if self.conn.their_state is h11.IDLE:  # a request's headers are still coming
            if self._header_deadline is None:
                self._arm_header_deadline()
        else:
            self._disarm_header_deadline()

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
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
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
        "http": GuardedH11Protocol,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
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
