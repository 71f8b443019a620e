"""Real `orderhub serve` processes on loopback for the tests that need the app server itself
(timeouts, logs, limits shared between processes), and for the benchmarks (bench/common.py). Each
waits for /healthz and is stopped (SIGTERM, then SIGKILL) when its block ends."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.emails_support import free_port

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def started(command: list[str], log: Path, base: str, *, env: dict[str, str] | None = None,
            timeout: float = 60) -> Iterator[subprocess.Popen]:
    """Any server `command` (run from the repository's folder), its output appended to `log`: waits
    until `{base}/healthz` answers 200 and yields the process; one that exits or never answers raises
    with the end of its log."""
    with open(log, "a") as out:
        process = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=ROOT, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def served(log: Path, *, env: dict[str, str] | None = None, port: int | None = None,
           args: tuple[str, ...] = (), timeout: float = 60) -> Iterator[str]:
    """`orderhub serve --no-jobs` on 127.0.0.1; yields its base URL (`timeout`: seconds to start)."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "orderhub.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-jobs",
               *args]
    with started(command, log, base, env={"ORDERHUB_BASE_URL": base, **(env or {})}, timeout=timeout):
        yield base
