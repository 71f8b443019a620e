"""CPU time of one rendered hub request, in-process (no server, no network): the demo database, the
app driven through httpx's ASGI transport with the page cache off, one page opened N times.

    .venv/bin/python bench/profile_hub.py [N] [--path SECTION] [--profile [--out FILE]] [--engine postgres]
    .venv/bin/python bench/profile_hub.py [N] --path /healthz     # the bare route, for a CPU ratio
    .venv/bin/python bench/profile_hub.py [N] --cached            # a page the page cache keeps

Prints CPU milliseconds per request (`time.process_time`, robust against other load on the machine,
unlike wall-clock ratios) and, with --profile, cProfile's top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import os
import pstats
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)


async def run(n: int, section: str, profile: bool, state: str, out: str) -> None:
    import httpx

    from orderhub import demo
    from orderhub.cli import migrate
    from orderhub.db import engine as db_engine
    from orderhub.settings import Settings
    from orderhub.site.app import create_app

    settings = Settings.from_env()
    await migrate(settings)
    db = db_engine.engine_for(settings)
    db_engine.bind(db)
    await db_engine.start(db, settings)
    ctx = await demo.create(settings, NOW)
    await db_engine.stop(db)
    token = next(o.token for o in ctx.orders if o.merchant == "yamakaze" and o.state == state)
    app = create_app(settings, clock=lambda: NOW)
    db = db_engine.current_engine()  # the app's (its pool started here: the test client runs no lifespan)
    await db_engine.start(db, settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
            url = section if section == "/healthz" else f"/o/{token}{section}"
            for _ in range(20):
                assert (await client.get(url, headers={"accept-encoding": "identity"})).status_code == 200
            profiler = cProfile.Profile() if profile else None
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            for _ in range(n):
                await client.get(url, headers={"accept-encoding": "identity"})
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await db_engine.stop(db)
    print(f"{section or '/'} ({state}): {cpu / n * 1000:.2f} ms CPU, {wall / n * 1000:.2f} ms wall per request "
          f"over {n}")
    if profiler:
        if out:
            profiler.dump_stats(out)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).print_callers("select.py.*\\(run\\)|statements.py.*\\(all\\)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=300)
    parser.add_argument("--path", default="")
    parser.add_argument("--state", default="delivered")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--engine", default="sqlite")
    parser.add_argument("--out", default="", help="with --profile: also write cProfile's stats to this file")
    parser.add_argument("--cached", action="store_true", help="page cache on: the cost of a page it keeps")
    args = parser.parse_args()
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="orderhub-profile-"))
        url = f"sqlite:///{folder}/p.sqlite3"
        if args.engine == "postgres":
            from tests import pg

            cluster = pg.start()
            stack.callback(cluster.stop)
            url = cluster.url
        os.environ.update({"DATABASE_URL": url, "ORDERHUB_DATA_DIR": folder,
                           "ORDERHUB_PAGE_CACHE_ENTRIES": "20000" if args.cached else "0",
                           "ORDERHUB_SECRET_KEY": "profile-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
                           "ORDERHUB_SECURE_COOKIES": "0", "ORDERHUB_BASE_URL": "http://profile.test"})
        asyncio.run(run(args.n, args.path, args.profile, args.state, args.out))


if __name__ == "__main__":
    main()
