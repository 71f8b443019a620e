"""Which ASGI server `orderhub serve` runs: uvicorn against granian, one worker each, the same demo
database (SQLite), the same app factory, in one run.

    .venv/bin/python bench/servers.py [seconds]

Prints requests/s and p99 for the bare route, a cached hub page and a rendered one (page cache
off), and each server's figures as a ratio of uvicorn's. Figures, never pass/fail.
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from common import build, free_port, started, wrk


@contextmanager
def server(kind: str, db: dict, **extra: str):
    port = free_port()
    env = {**db["env"], "ORDERHUB_BASE_URL": f"http://127.0.0.1:{port}", **extra}
    bin_dir = Path(sys.executable).parent
    if kind == "uvicorn":
        args = [str(bin_dir / "uvicorn"), "--factory", "orderhub.site.app:create_app", "--port", str(port),
                "--no-access-log", "--no-server-header", "--log-level", "warning"]
    else:
        args = [str(bin_dir / "granian"), "--interface", "asgi", "--factory", "--port", str(port), "--workers", "1",
                "--no-ws", "--log-level", "warning", "orderhub.site.app:create_app"]
    with started(args, Path(db["folder"]) / f"{kind}-{port}.log", f"http://127.0.0.1:{port}", env=env, timeout=90):
        yield f"http://127.0.0.1:{port}"


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package wrk): run `make bench`")
    db = build(None, 0)
    hub = f"/o/{db['tokens'][('yamakaze', 'delivered')]}"
    figures: dict[tuple[str, str], dict] = {}
    for kind in ("uvicorn", "granian"):
        for cache in ("on", "off"):
            extra = {} if cache == "on" else {"ORDERHUB_PAGE_CACHE_ENTRIES": "0"}
            with server(kind, db, **extra) as base:
                wrk(f"{base}/healthz", seconds=2)
                if cache == "on":
                    figures[(kind, "bare /healthz")] = wrk(f"{base}/healthz", seconds=seconds)
                wrk(f"{base}{hub}", seconds=1)
                figures[(kind, f"hub page, cache {cache}")] = wrk(f"{base}{hub}", seconds=seconds)
    shutil.rmtree(db["folder"], ignore_errors=True)
    print(f"{'route':22} {'uvicorn req/s':>14} {'p99 ms':>7} {'granian req/s':>14} {'p99 ms':>7} {'granian/uvicorn':>16}")
    for route in ("bare /healthz", "hub page, cache on", "hub page, cache off"):
        u, g = figures[("uvicorn", route)], figures[("granian", route)]
        print(f"{route:22} {u['rps']:14.0f} {u['p99']:7.1f} {g['rps']:14.0f} {g['p99']:7.1f} {g['rps'] / u['rps']:16.2f}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
