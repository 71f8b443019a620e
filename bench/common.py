"""Shared by the benchmarks: a demo server on a free loopback port, and wrk runs parsed."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_url():
    from tests import pg

    cluster = pg.start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@contextmanager
def demo_server(database_url: str | None = None, workers: int = 1, extra_env: dict | None = None):
    """`orderhub demo` then `orderhub serve --no-jobs`; yields (base_url, {(merchant, state): token}, env)."""
    folder = tempfile.mkdtemp(prefix="orderhub-bench-")
    port = free_port()
    env = {**os.environ,
           "DATABASE_URL": database_url or f"sqlite:///{folder}/bench.sqlite3",
           "ORDERHUB_DATA_DIR": folder,
           "ORDERHUB_SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
           "ORDERHUB_BASE_URL": f"http://127.0.0.1:{port}",
           "ORDERHUB_SECURE_COOKIES": "0"}
    demo = subprocess.run([sys.executable, "-m", "orderhub.cli", "demo"], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=True)
    tokens = {}
    for line in demo.stdout.splitlines():
        m = re.match(r"\s+(\S+)\s+(\S+)\s+http://[^/]+/o/(\S+)$", line)
        if m:
            tokens.setdefault((m.group(1), m.group(2)), m.group(3))  # the first order in each state
    env.update(extra_env or {})
    log = open(Path(folder) / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "orderhub.cli", "serve", "--no-jobs", "--port", str(port),
                             "--workers", str(workers)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((Path(folder) / "server.log").read_text()[-2000:])
            time.sleep(0.1)
        yield base, tokens, env
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        shutil.rmtree(folder, ignore_errors=True)


def wrk(url: str, seconds: int = 8, connections: int = 16, threads: int = 1) -> dict:
    exe = shutil.which("wrk")
    if not exe:
        raise SystemExit("wrk is not installed (Debian package wrk): run `make bench`")
    out = subprocess.run([exe, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        m = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "errors": int(non2xx.group(1)) if non2xx else 0}
