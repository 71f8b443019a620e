"""Hub page throughput and latency against a bare Litestar route on the same server, same run.

    make bench        (or: .venv/bin/python bench/hub_page.py [seconds])

For each engine: SQLite with orderhub's kept connections (one per request), SQLite with Piccolo's
default new connection per query, and PostgreSQL with a pool. Prints requests/s, p50/p99 and the
hub page's share of the bare route's requests/s. Figures, never pass/fail.
"""

from __future__ import annotations

import sys

from common import demo_server, postgres_url, wrk

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 8


def measure(label: str, database_url: str | None = None, extra_env: dict | None = None) -> list[tuple]:
    rows = []
    with demo_server(database_url, extra_env=extra_env) as (base, tokens, _env):
        token = tokens[("yamakaze", "delivered")]
        wrk(f"{base}/healthz", seconds=2)  # warm up
        bare = wrk(f"{base}/healthz", seconds=SECONDS)
        hub = wrk(f"{base}/o/{token}", seconds=SECONDS)
        rows.append((label, "bare /healthz", bare, 1.0))
        rows.append((label, "hub /o/{token}", hub, hub["rps"] / bare["rps"]))
    return rows


def main() -> None:
    rows = []
    rows += measure("sqlite, kept connections")
    rows += measure("sqlite, new conn per query", extra_env={"ORDERHUB_SQLITE_POOL_SIZE": "0"})
    with postgres_url() as url:
        rows += measure("postgresql, pool", url)
    print(f"{'engine':28} {'route':16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} {'errors':>6}")
    for label, route, r, ratio in rows:
        print(f"{label:28} {route:16} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {ratio:8.2f} {r['errors']:6d}")
    kept = next(r for label, route, r, _ in rows if label.startswith("sqlite, kept") and route.startswith("hub"))
    fresh = next(r for label, route, r, _ in rows if label.startswith("sqlite, new") and route.startswith("hub"))
    print(f"\nhub page, kept SQLite connections vs a new connection per query: {kept['rps'] / fresh['rps']:.1f}x req/s")


if __name__ == "__main__":
    main()
