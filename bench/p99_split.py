"""Where a repeat-open p99 comes from: wrk's latency (what `bench/suite.py` reports against the 25 ms
target) next to the time the app itself took over the same requests, measured inside each server
process (`bench/timing/sitecustomize.py`). On this 2-core machine wrk, the workers and PostgreSQL
share the cores, so a request can wait for a core before the app sees it or after it answered; the
difference between the two figures is that wait.

    .venv/bin/python bench/p99_split.py [--engine postgres] [--workers 2] [--rounds 6] [--scale 0]

Each round starts the server, makes the campaign's first opens and warms every worker's page cache
as `bench/suite.py` does, then measures the repeat opens (32 connections, 5 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import suite  # noqa: E402
from common import build, postgres_url, serve  # noqa: E402

TIMING = Path(__file__).resolve().parent / "timing"


def _processes(prefix: str) -> list[int]:
    """The server's processes (those started with this run's timing prefix in their environment)."""
    mark = f"ORDERHUB_BENCH_TIMINGS={prefix}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if mark in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                found.append(int(pid))
        except OSError:
            continue
    return found


def _collect(prefix: str, since: float) -> list[float]:
    """Ask every server process to write its timings, then read those of requests started since `since`."""
    for pid in _processes(prefix):
        os.kill(pid, signal.SIGUSR2)
    time.sleep(1)
    out = []
    for path in Path(prefix).parent.glob(Path(prefix).name + ".*"):
        for line in path.read_text().splitlines():
            start, ms = line.split()
            if float(start) >= since:
                out.append(float(ms))
        path.unlink()
    return sorted(out)


def _pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="postgres", choices=("sqlite", "postgres"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--scale", type=int, default=0)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="orderhub-p99-")
    prefix = f"{folder}/timings"
    rows = []
    try:
        with postgres_url() if args.engine == "postgres" else nullcontext(None) as url:
            db = build(url, args.scale)
            paths, _ = suite.lists(db)
            env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(TIMING), os.environ.get("PYTHONPATH")])),
                   "ORDERHUB_BENCH_TIMINGS": prefix}
            for n in range(args.rounds):
                with serve(db, workers=args.workers, **env) as base:
                    suite.wrk_script(base, suite.LUA / "rotate.lua", str(paths), seconds=5, connections=32)
                    suite.warm(base, paths, args.workers)
                    _collect(prefix, float("inf"))  # the first opens' and the warming's timings dropped
                    since = time.perf_counter()
                    r = suite.wrk_script(base, suite.LUA / "rotate.lua", str(paths), seconds=5, connections=32)
                    app = _collect(prefix, since)
                if not app:
                    raise SystemExit("no timings came back from the server (bench/timing not loaded?)")
                rows.append((r["p99"], _pct(app, 0.99)))
                print(f"round {n + 1}: {r['rps']:.0f}/s; p99 at wrk {r['p99']:.1f} ms; in the app: p50 "
                      f"{_pct(app, 0.5):.1f}, p99 {_pct(app, 0.99):.1f}, p99.9 {_pct(app, 0.999):.1f}, "
                      f"max {app[-1]:.1f} ms ({len(app)} requests)", flush=True)
            shutil.rmtree(db["folder"], ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    label = f"{args.engine}, {args.workers} worker(s), {'fresh demo' if not args.scale else f'{args.scale:,} orders'}"
    print(f"\n{label}: repeat-open p99 at wrk {min(r[0] for r in rows):.1f}–{max(r[0] for r in rows):.1f} ms "
          f"(median {statistics.median(r[0] for r in rows):.1f}); in the app "
          f"{min(r[1] for r in rows):.1f}–{max(r[1] for r in rows):.1f} ms (median "
          f"{statistics.median(r[1] for r in rows):.1f})")


if __name__ == "__main__":
    main()
