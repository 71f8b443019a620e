"""Rate-limit counters in the database, shared by every worker and kept across restarts.

A sliding-window estimate over two fixed windows (as `limits`' sliding-window-counter strategy does):
the hits of the current window plus the previous window's hits weighted by how much of it still
overlaps the sliding window. One row per limiter key and window, bumped by one atomic
`INSERT … ON CONFLICT DO UPDATE … RETURNING` (both engines), so concurrent workers never lose a hit."""

from __future__ import annotations

import datetime as dt

from orderhub.db import engine
from orderhub.db.security.tables import RateCounter


def _slot(now: dt.datetime, seconds: int) -> tuple[int, float]:
    ts = now.timestamp()
    return int(ts // seconds), (ts % seconds) / seconds


def _key(name: str, key: str, slot: int) -> str:
    return f"{name}:{key}:{slot}"[:300]


async def _hits(name: str, key: str, slot: int) -> int:
    rows = await RateCounter.select(RateCounter.hits).where(RateCounter.key == _key(name, key, slot))
    return int(rows[0]["hits"]) if rows else 0


async def hit(name: str, key: str, amount: int, seconds: int, now: dt.datetime) -> bool:
    """Counts one hit; False when, with it, the limit is exceeded (the hit stays counted, so a client
    that keeps trying stays refused until its window slides past)."""
    slot, elapsed = _slot(now, seconds)
    async with engine.write():
        rows = await RateCounter.raw(
            "INSERT INTO rate_counters (key, slot, hits, expires) VALUES ({}, {}, 1, {}) "
            "ON CONFLICT (key) DO UPDATE SET hits = rate_counters.hits + 1 RETURNING hits",
            _key(name, key, slot), slot, (slot + 2) * seconds,
        )
        current = int(rows[0]["hits"])
        previous = await _hits(name, key, slot - 1)
        if current == 1:  # a new window for this key: drop counters no window needs any more
            await RateCounter.delete().where(RateCounter.expires < int(now.timestamp()))
    return previous * (1 - elapsed) + current <= amount


async def allows(name: str, key: str, amount: int, seconds: int, now: dt.datetime) -> bool:
    """True while one more hit would be within the limit (counts nothing)."""
    slot, elapsed = _slot(now, seconds)
    async with engine.read():
        current = await _hits(name, key, slot)
        previous = await _hits(name, key, slot - 1)
    return previous * (1 - elapsed) + current + 1 <= amount


async def clear(name: str) -> None:
    """Forget every counter of one limiter."""
    async with engine.write():
        await RateCounter.delete().where(RateCounter.key.like(f"{name}:%"))
