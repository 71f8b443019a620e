"""Tracking ingest and live-update figures.

    .venv/bin/python bench/tracking.py [events] [clients...]

Against a demo server (SQLite, one worker) and PostgreSQL (two workers, LISTEN/NOTIFY):
- webhook events ingested per second: signed `POST /webhooks/tracking/{merchant}`, one new event per
  request, 16 concurrent senders, spread over the demo's parcels;
- the delay from the start of an ingest call to the moment each of N open SSE clients has the
  `update` event, p50/p99 over all clients and rounds.
Figures, never pass/fail.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
import statistics
import sys
import time
from contextlib import contextmanager

import httpx
from common import build, postgres_url, serve

from orderhub.db.shipping import rules as shipping_rules
from orderhub.site.webhooks.signatures import sign

EVENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
CLIENTS = [int(n) for n in sys.argv[2:]] or [10, 100, 300]
ROUNDS = 20
CARRIER_CODES = {name: code for code, (name, _url) in shipping_rules.CARRIERS.items()}


@contextmanager
def server(database_url: str | None = None, workers: int = 1):
    db = build(database_url)
    try:
        with serve(db, workers) as base:
            yield base, db["tokens"], db["secrets"], database_url
    finally:
        shutil.rmtree(db["folder"], ignore_errors=True)


async def ingest_rate(base: str, secrets: dict, targets: list[tuple[str, str, str]], n: int) -> float:
    sem = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=32)) as http:
        async def one(i: int):
            slug, carrier, number = targets[i % len(targets)]
            body = json.dumps({"carrier": carrier, "tracking_number": number, "events": [
                {"id": f"bench-{i}-{time.time_ns()}", "status": "in_transit", "location": "Bench",
                 "occurred_at": (dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=i)).isoformat()}]}).encode()
            async with sem:
                r = await http.post(f"/webhooks/tracking/{slug}", content=body,
                                    headers={"X-Orderhub-Signature": sign(secrets[slug], body, int(time.time())),
                                             "Content-Type": "application/json"})
                assert r.status_code == 202, r.text
        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return n / (time.perf_counter() - start)


async def sse_delay(base: str, secrets: dict, token: str, target: tuple[str, str, str], clients: int) -> tuple[float, float]:
    slug, carrier, number = target
    delays: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=60,
                                 limits=httpx.Limits(max_connections=clients + 8, max_keepalive_connections=clients + 8)) as http:
        streams = []
        for _ in range(clients):
            cm = http.stream("GET", f"/o/{token}/tracking/events")
            response = await cm.__aenter__()
            lines = response.aiter_lines()
            async for line in lines:
                if line.startswith("event: ready") or line == "event:ready":
                    break
            streams.append((cm, lines))

        async def wait_update(lines) -> float:
            async for line in lines:
                if line.startswith("event:") and "update" in line:
                    return time.perf_counter()
            return float("nan")

        async with httpx.AsyncClient(base_url=base, timeout=30) as sender:
            for r in range(ROUNDS):
                waiters = [asyncio.create_task(wait_update(lines)) for _, lines in streams]
                await asyncio.sleep(0)
                body = json.dumps({"carrier": carrier, "tracking_number": number, "events": [
                    {"id": f"sse-{clients}-{r}-{time.time_ns()}", "status": "in_transit", "location": "Bench",
                     "occurred_at": dt.datetime.now(dt.UTC).isoformat()}]}).encode()
                t0 = time.perf_counter()
                resp = await sender.post(f"/webhooks/tracking/{slug}", content=body, headers={
                    "X-Orderhub-Signature": sign(secrets[slug], body, int(time.time())), "Content-Type": "application/json"})
                assert resp.status_code == 202, resp.text
                for t in await asyncio.gather(*waiters):
                    delays.append((t - t0) * 1000)
        for cm, _ in streams:
            await cm.__aexit__(None, None, None)
    delays.sort()
    return statistics.median(delays), delays[min(len(delays) - 1, int(len(delays) * 0.99))]


async def run(label: str, base: str, tokens: dict, secrets: dict) -> list[tuple]:
    # the demo's parcels that are still travelling (their tracking numbers come from the demo data)
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        targets = []
        for (slug, state), token in tokens.items():
            if state in ("shipped", "out_for_delivery", "delayed"):
                page = (await http.get(f"/o/{token}/tracking?lang=en")).text
                m = re.search(
                    r'id=([0-9A-Z]+)"|tracknum=([0-9A-Z]+)"|okurijoNo=([0-9A-Z]+)"|reqCodeNo1=([0-9A-Z]+)"|tLabels=([0-9A-Z]+)"|trknbr=([0-9A-Z]+)"',
                    page,
                )
                carrier = re.search(r'class="shipment__carrier">([^·]+)·', page).group(1).strip()
                code = CARRIER_CODES[carrier]  # the page is in English: the carriers' English names
                targets.append((slug, code, next(g for g in m.groups() if g), token))
    rate = await ingest_rate(base, secrets, [t[:3] for t in targets], EVENTS)
    rows = [(label, "webhook ingest", f"{rate:8.0f} events/s", "")]
    delayed = next(t for t in targets if t[0] == "acme")
    for n in CLIENTS:
        p50, p99 = await sse_delay(base, secrets, delayed[3], delayed[:3], n)
        rows.append((label, f"ingest -> SSE, {n} clients", f"p50 {p50:7.1f} ms", f"p99 {p99:7.1f} ms"))
    return rows


def main() -> None:
    rows = []
    with server() as (base, tokens, secrets, _):
        rows += asyncio.run(run("sqlite, 1 worker", base, tokens, secrets))
    with postgres_url() as url:
        with server(url, workers=2) as (base, tokens, secrets, _):
            rows += asyncio.run(run("postgresql, 2 workers", base, tokens, secrets))
    print(f"{'engine':24} {'measure':28} {'':>20} {'':>14}")
    for label, what, a, b in rows:
        print(f"{label:24} {what:28} {a:>20} {b:>14}")


if __name__ == "__main__":
    main()
