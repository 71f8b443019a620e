"""`make bench`: the figures of "fast at a real shop's volume", on both engines, on the fresh demo
database and on a scaled one, as ratios against a bare route of the same server in the same run.

    .venv/bin/python bench/suite.py [--scale N] [--seconds S] [--engines sqlite,postgres]
        [--scales 0[,N]] [--parts cached,rendered,p99,first-visit,ingest] [--p99-workers 1,2]

For each engine and each database (the demo's; the demo plus `orderhub demo --scale N`), the parts
asked for (all by default):
- cached: one server (`orderhub serve --no-jobs`, one worker): the hub page, tracking, returns and
  pickup pages, each cached (the same URL again and again), each against `/healthz` (the bare
  route) in rounds back to back (`paired`: the median of the rounds' ratios, and their range);
- first-visit: the first visit of a hub page in Chromium on that server (bytes transferred,
  compressed, every resource), phone and desktop;
- rendered: the same pages with the page cache off (only the hub page without `cached`);
- p99: the hub page's p99 at 32 connections over up to 2,000 different orders, first opens and
  repeat opens (after a warm-up rotation), with one worker and with two (docs/performance.md,
  "The p99 load");
- ingest: two workers, carrier ingest through `POST /api/v1/tracking-events`, 16 connections, each
  call one parcel's five new scans, events/s.
wrk drives the HTTP load (Debian's `wrk`: `make bench` installs it). Figures, never pass/fail;
the targets of issue 16 are printed beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from common import ROOT, build, errors, postgres_url, serve, wrk

LUA = ROOT / "bench" / "lua"


def lists(db: dict) -> tuple[Path, Path]:
    """Files for the wrk scripts (bench/export_lists.py): hub paths, and parcels to send scans for."""
    env = {**db["env"], "BENCH_KEYS": json.dumps(db["keys"])}
    subprocess.run([sys.executable, str(ROOT / "bench" / "export_lists.py"), db["folder"]], env=env, cwd=ROOT,
                   check=True)
    return Path(db["folder"]) / "paths.txt", Path(db["folder"]) / "parcels.txt"


def wrk_script(url: str, script: Path, *args: str, seconds: int, connections: int) -> dict:
    exe = shutil.which("wrk")
    out = subprocess.run([exe, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", "-s",
                          str(script), url,
                          "--", *args], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    return {"rps": rps, "p99": p99, "errors": errors(out)}


async def first_visit(url: str, width: int, height: int) -> int:
    """Bytes a browser with an empty cache transfers for the page and everything it loads (images
    below the fold, and the cross-sells card, wait until they are scrolled to)."""
    from playwright.async_api import async_playwright

    finished: list = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"))
        page = await browser.new_page(viewport={"width": width, "height": height})
        page.on("requestfinished", lambda request: finished.append(request))
        await page.goto(url, wait_until="networkidle")
        total = 0
        for request in finished:
            s = await request.sizes()
            total += s["responseBodySize"] + s["responseHeadersSize"]
        await browser.close()
    return total


#: rounds of a page's figure against the bare route (see `paired`)
ROUNDS = 3


def paired(bare_url: str, page_url: str, seconds: int, rounds: int = ROUNDS) -> dict:
    """A page's pages/s against the bare route's, measured back to back in `rounds` rounds (the bare
    route first, then the page; the next round the other way round), each leg `seconds` long: this
    shared machine's speed drifts by a fifth within a minute, and a ratio of two runs taken a minute
    apart carried that drift. The figure is the median of the rounds' ratios; all are returned."""
    ratios, bare, rps, errs = [], [], [], 0
    for n in range(rounds):
        legs = {}
        for which in (("bare", "page") if n % 2 == 0 else ("page", "bare")):
            legs[which] = wrk(bare_url if which == "bare" else page_url, seconds=seconds)
        ratios.append(legs["page"]["rps"] / legs["bare"]["rps"])
        bare.append(legs["bare"]["rps"])
        rps.append(legs["page"]["rps"])
        errs += legs["page"]["errors"]
    return {"ratio": statistics.median(ratios), "ratios": ratios, "bare": bare, "rps": statistics.median(rps),
            "errors": errs}


def warm(base: str, paths: Path, workers: int = 1) -> dict:
    """What the first opens of a campaign leave in each worker's page cache: the same rotation over
    every hub with 32 connections (spread by the kernel over the workers) until each worker has had
    each hub at least once -- up to 60 s: a sequential pass of new connections often lands on one
    worker only, which left the other's cache empty for the repeat opens."""
    n = sum(1 for _ in open(paths))
    seconds = min(60, max(5, round(n * workers / 100)))
    return wrk_script(base, LUA / "rotate.lua", str(paths), seconds=seconds, connections=32)


PARTS = ("cached", "rendered", "p99", "first-visit", "ingest")


def measure(label: str, db: dict, seconds: int, parts: tuple[str, ...] = PARTS,
            p99_workers: tuple[int, ...] = (1, 2)) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    tokens = db["tokens"]
    delivered, pickup = tokens[("yamakaze", "delivered")], tokens[("yamakaze", "ready_for_pickup")]
    pages = {"hub": f"/o/{delivered}", "tracking": f"/o/{delivered}/tracking",
             "returns": f"/o/{delivered}/returns", "pickup": f"/o/{pickup}/pickup"}
    paths, parcels = lists(db)

    def add(what: str, figure: str, target: str = "") -> None:
        rows.append((label, what, figure, target))
        print(f"  {what:50} {figure:>22} {target}", flush=True)

    def pages_vs_bare(base: str, cache: str, names: tuple[str, ...]) -> None:
        wrk(f"{base}/healthz", seconds=2)
        bares: list[float] = []
        for name in names:
            path = pages[name]
            wrk(f"{base}{path}", seconds=1)
            r = paired(f"{base}/healthz", f"{base}{path}", max(2, seconds // 2))
            bares += r["bare"]
            target = {("hub", "on"): "≥ 0.40 SQLite, ≥ 0.30 PostgreSQL", ("hub", "off"): "≥ 0.12"}.get(
                (name, cache), "≥ 0.10" if name != "hub" else "")
            add(f"{name} page, cache {cache} (vs bare)",
                f"{r['ratio']:.3f} ({r['rps']:.0f}/s; rounds {min(r['ratios']):.3f}–{max(r['ratios']):.3f})",
                target + (f"  [{r['errors']} errors]" if r["errors"] else ""))
        add(f"bare /healthz (cache {cache}), median of its rounds", f"{statistics.median(bares):.0f} req/s")

    print(f"\n{label} (database built in {db['seconds']:.0f} s)", flush=True)
    if "cached" in parts or "first-visit" in parts:
        with serve(db) as base:
            if "cached" in parts:
                pages_vs_bare(base, "on", tuple(pages))
            if "first-visit" in parts:
                for device, (w, h) in (("phone", (390, 844)), ("desktop", (1280, 800))):
                    size = asyncio.run(first_visit(f"{base}{pages['hub']}?lang=ja", w, h))
                    add(f"first visit of a hub page ({device}), transferred", f"{size / 1024:.1f} KB", "≤ 40 KB")
    if "rendered" in parts:
        with serve(db, ORDERHUB_PAGE_CACHE_ENTRIES="0") as base:
            pages_vs_bare(base, "off", tuple(pages) if "cached" in parts else ("hub",))
    if "p99" in parts:
        n = sum(1 for _ in open(paths))
        for workers in p99_workers:
            with serve(db, workers=workers) as base:
                # a campaign's first opens: every order's hub seen once (all renders)
                r = wrk_script(base, LUA / "rotate.lua", str(paths), seconds=seconds, connections=32)
                add(f"hub p99, {workers} worker(s), 32 conns over {n} orders, first opens",
                    f"{r['p99']:.1f} ms ({r['rps']:.0f}/s)", f"  [{r['errors']} errors]" if r["errors"] else "")
                warm(base, paths, workers)
                # the campaign going on: the same shoppers open their hub again and again
                r = wrk_script(base, LUA / "rotate.lua", str(paths), seconds=seconds, connections=32)
                add(f"hub p99, {workers} worker(s), 32 conns over {n} orders, repeat opens",
                    f"{r['p99']:.1f} ms ({r['rps']:.0f}/s)", "≤ 25 ms" + (f"  [{r['errors']} errors]" if r["errors"] else ""))
    if "ingest" in parts:
        with serve(db, workers=2) as base:
            r = wrk_script(base, LUA / "ingest.lua", str(parcels), "5", seconds=seconds, connections=16)
            add("ingest, 2 workers, 16 senders", f"{r['rps'] * 5:.0f} events/s", "≥ 1,000"
                + (f"  [{r['errors']} errors]" if r["errors"] else ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE", "100000")))
    parser.add_argument("--seconds", type=int, default=5, help="each load's length (a page against the bare "
                        f"route: {ROUNDS} rounds of both, each half this long)")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--scales", default="", help="databases to run, e.g. 0 (the fresh demo only) or 0,20000; "
                        "default: 0 and --scale")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"any of {','.join(PARTS)}")
    parser.add_argument("--p99-workers", default="1,2", help="worker counts the p99 load runs against")
    args = parser.parse_args()
    parts = tuple(args.parts.split(","))
    p99_workers = tuple(int(w) for w in args.p99_workers.split(","))
    scales = [int(x) for x in args.scales.split(",")] if args.scales else [0, args.scale]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian package wrk): run `make bench`")
    rows = []
    for engine in args.engines.split(","):
        for scale in scales:
            label = f"{engine}, {'fresh demo' if not scale else f'scaled to {scale:,} orders'}"
            if engine == "postgres":
                with postgres_url() as url:
                    db = build(url, scale)
                    rows += measure(label, db, args.seconds, parts, p99_workers)
            else:
                db = build(None, scale)
                rows += measure(label, db, args.seconds, parts, p99_workers)
            shutil.rmtree(db["folder"], ignore_errors=True)
    print("\n| database | figure | measured | target |\n|---|---|---|---|")
    for label, what, figure, target in rows:
        print(f"| {label} | {what} | {figure} | {target} |")


if __name__ == "__main__":
    main()
