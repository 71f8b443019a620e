"""PDF workers and the jobs process end with the server (issue 18, item 10): a real `orderhub serve`
(its background jobs in a process of their own) renders a receipt (so its pool has workers), then is
stopped with SIGTERM, or killed with kill -9; within a bounded wait no process it started is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.emails_support import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


def descendants(pid: int) -> set[int]:
    """Every live process under `pid` (from /proc: Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    left = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            left.add(pid)
    return left


def wait_until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGKILL"])
def test_pdf_workers_and_jobs_die_with_the_server(stop, orders, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ORDERHUB_BASE_URL": base}
    log = tmp_path / "serve.log"
    server = subprocess.Popen([sys.executable, "-m", "orderhub.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    try:
        def up() -> bool:
            assert server.poll() is None, log.read_text()[-2000:]
            try:
                return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_until(up, 60), log.read_text()[-2000:]
        jobs = descendants(server.pid)
        assert jobs, "the server started no jobs process"
        receipt = httpx.get(f"{base}/o/{orders['jp_ship'].token}/receipt.pdf", timeout=60)
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
        workers = descendants(server.pid) - jobs
        assert workers, "the pool started no worker"
        server.send_signal(getattr(signal, stop))
        server.wait(timeout=30)
        assert wait_until(lambda: not alive(workers | jobs), 10), f"left running after {stop}: {alive(workers | jobs)}"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in alive(descendants(server.pid)):
            os.kill(pid, signal.SIGKILL)
