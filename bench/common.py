"""Shared by the benchmarks: a demo database, a server on a free loopback port (the tests' own
starter, tests/servers_support.py), and wrk runs parsed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emails_support import free_port  # noqa: E402
from tests.servers_support import served, started  # noqa: E402  (the tests' server starter)

__all__ = ["ROOT", "build", "demo_server", "free_port", "postgres_url", "serve", "started", "wrk"]


@contextmanager
def postgres_url():
    from tests import pg

    cluster = pg.start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def build(database_url: str | None, scale: int = 0) -> dict:
    """`orderhub demo` (scaled to `scale` orders when > 0) on a new database: its env and folder, the
    first demo token of each (merchant, state), the API keys and webhook secrets it printed, and how
    long it took."""
    folder = tempfile.mkdtemp(prefix="orderhub-bench-")
    env = {**os.environ, "DATABASE_URL": database_url or f"sqlite:///{folder}/bench.sqlite3",
           "ORDERHUB_DATA_DIR": folder, "ORDERHUB_SECRET_KEY": SECRET, "ORDERHUB_SECURE_COOKIES": "0"}
    args = [sys.executable, "-m", "orderhub.cli", "demo"] + (["--scale", str(scale)] if scale else [])
    started = time.monotonic()
    out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    tokens, keys, secrets = {}, {}, {}
    for line in out.splitlines():
        if m := re.match(r"\s+(\S+)\s+(\S+)\s+http://[^/]+/o/(\S+)$", line):
            tokens.setdefault((m.group(1), m.group(2)), m.group(3))
        if m := re.match(r"\s+(\S+)\s+api_key=(\S+) webhook_secret=(\S+)$", line):
            keys[m.group(1)], secrets[m.group(1)] = m.group(2), m.group(3)
    return {"env": env, "folder": folder, "tokens": tokens, "keys": keys, "secrets": secrets,
            "seconds": time.monotonic() - started}


@contextmanager
def serve(db: dict, workers: int = 1, **extra: str):
    """`orderhub serve --no-jobs` on a database from `build`; yields its base URL (a loaded machine
    may take minutes to start it)."""
    with served(Path(db["folder"]) / "server.log", env={**db["env"], **extra}, args=("--workers", str(workers)),
                timeout=300) as base:
        yield base


@contextmanager
def demo_server(database_url: str | None = None, workers: int = 1, extra_env: dict | None = None):
    """`orderhub demo` then `orderhub serve --no-jobs`; yields (base_url, {(merchant, state): token}, env)."""
    db = build(database_url)
    try:
        with serve(db, workers, **(extra_env or {})) as base:
            yield base, db["tokens"], {**db["env"], "ORDERHUB_BASE_URL": base}
    finally:
        shutil.rmtree(db["folder"], ignore_errors=True)


def wrk(url: str, seconds: int = 8, connections: int = 16, threads: int = 1) -> dict:
    exe = shutil.which("wrk")
    if not exe:
        raise SystemExit("wrk is not installed (Debian package wrk): run `make bench`")
    # wrk drops an answer slower than its timeout (2 s by default) from the latencies: 30 s keeps them
    out = subprocess.run([exe, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        m = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "errors": errors(out)}


def errors(out: str) -> int:
    """Non-2xx/3xx answers and socket errors (timeouts included) in wrk's output."""
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return (int(non2xx.group(1)) if non2xx else 0) + (sum(int(g) for g in sockets.groups()) if sockets else 0)
