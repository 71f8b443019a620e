"""The app server's own limits (issue 18, item 5), against a real `orderhub serve` on loopback:
clients trickling their headers are dropped within the header timeout, an oversized header is
refused at once (a pipelined one too), ordinary requests are served meanwhile, and a live stream
(a request being answered) outlasts the header deadline. Bounded: 40 sockets, a few seconds."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx

from tests.conftest import bearer
from tests.servers_support import served
from tests.tracking_support import shipment_body

SOCKETS = 40
TIMEOUT = 2


def _closed(sock: socket.socket) -> bool:
    """True once the server has closed the connection (or reset it)."""
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_trickling_headers_are_dropped_and_oversized_headers_refused(database_url, tmp_path):
    env = {"ORDERHUB_HEADER_TIMEOUT_SECONDS": str(TIMEOUT), "ORDERHUB_MAX_HEADER_BYTES": "16384"}
    with served(tmp_path / "server.log", env=env) as base:
        port = int(base.rsplit(":", 1)[1])
        slow = []
        for _ in range(SOCKETS):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            s.setblocking(False)
            slow.append(s)
        started = time.monotonic()
        dropped: set[int] = set()
        while len(dropped) < SOCKETS and time.monotonic() - started < TIMEOUT + 4:
            for i, s in enumerate(slow):
                if i in dropped:
                    continue
                if _closed(s):
                    dropped.add(i)
                else:
                    try:
                        s.send(b"X")  # one more byte of a header that never ends
                    except OSError:
                        dropped.add(i)
            assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200  # others are served meanwhile
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        for s in slow:
            s.close()
        assert len(dropped) == SOCKETS and elapsed < TIMEOUT + 3, (len(dropped), elapsed)

        with socket.create_connection(("127.0.0.1", port), timeout=5) as big:
            big.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 64 * 1024 + b"\r\n\r\n")
            answer = big.recv(200)
        assert answer.split(b" ")[1] in (b"400", b"431"), answer


def test_a_pipelined_oversized_request_is_refused(database_url, tmp_path):
    """Two requests in one packet, the second with 20 KB of headers: the parser's own count refuses
    it with 400 and closes the connection (the raw count sees only the first request's end; the first
    request, parsed in the same call, may go unanswered)."""
    with served(tmp_path / "server.log", env={"ORDERHUB_MAX_HEADER_BYTES": "16384"}) as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                         b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20 * 1024 + b"\r\n\r\n")
            answers = b""
            while answers.count(b"HTTP/1.1 ") < 2:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answers += chunk
        statuses = [part.split(b" ", 1)[0] for part in answers.split(b"HTTP/1.1 ")[1:]]
        assert statuses[-1:] == [b"400"] and set(statuses) <= {b"200", b"400"}, answers[:400]


async def test_a_live_stream_outlasts_the_header_deadline(merchants, orders, tmp_path):
    """The header deadline ends with the headers: a tracking page's live stream, open for longer than
    the deadline, is still open and gets the update of a shipment added afterwards."""
    _, key, _ = merchants["yamakaze"]
    token = orders["jp_ship"].token
    with served(tmp_path / "server.log", env={"ORDERHUB_HEADER_TIMEOUT_SECONDS": "1"}) as base:
        ready = asyncio.Event()

        async def listen() -> str:
            async with httpx.AsyncClient(timeout=30) as client, \
                    client.stream("GET", f"{base}/o/{token}/tracking/events") as response:
                assert response.status_code == 200
                async for line in response.aiter_lines():
                    if line == "event: ready":
                        ready.set()
                    elif line in ("event: update", "event: final"):
                        return line[7:]
            raise AssertionError("the stream ended before the update")

        live = asyncio.create_task(listen())
        await asyncio.wait_for(ready.wait(), 30)
        opened = time.monotonic()
        while time.monotonic() - opened < 2.5:  # past the 1 s deadline, with room for a slow machine
            await asyncio.sleep(0.1)
            assert not live.done(), live
        async with httpx.AsyncClient(timeout=30) as client:
            r = await client.put(f"{base}/api/v1/orders/jp_ship/shipments/S1", json=shipment_body(),
                                 headers=bearer(key))
            assert r.status_code in (200, 201), r.text
        assert await asyncio.wait_for(live, 30) in ("update", "final")
