"""Real `orderhub serve` processes on loopback for the tests that need the app server itself
(timeouts, logs, limits shared between processes). Each waits for /healthz and is stopped (SIGTERM,
then SIGKILL) when its block ends."""

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
def served(log: Path, *, env: dict[str, str] | None = None, port: int | None = None,
           args: tuple[str, ...] = ()) -> Iterator[str]:
    """`orderhub serve --no-jobs` on 127.0.0.1; yields its base URL."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "ORDERHUB_BASE_URL": base, **(env or {})}
    with open(log, "a") as out:
        process = subprocess.Popen([sys.executable, "-m", "orderhub.cli", "serve", "--host", "127.0.0.1",
                                    "--port", str(port), "--no-jobs", *args], env=environment, cwd=ROOT,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
