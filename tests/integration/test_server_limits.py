"""The app server's own limits (issue 18, item 5), against a real `orderhub serve` on loopback:
clients trickling their headers are dropped within the header timeout, an oversized header is
refused at once, and ordinary requests are served meanwhile. Bounded: 40 sockets, a few seconds."""

from __future__ import annotations

import socket
import time

import httpx

from tests.servers_support import served

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
