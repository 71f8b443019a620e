"""Composite natural keys ("<owner id>:<local id>"), built in one place.

Rows that are unique per merchant (orders, products, stores, variant stock, logos) or per order
(lines, reviews, return idempotency keys) keep a single indexed `key` column made here, so every
lookup and every upsert spell it the same way.
"""

from __future__ import annotations


def scoped(owner: int | str, *parts: int | str) -> str:
    """scoped(7, "1042") -> "7:1042"; scoped(7, "ups", "1Z…") -> "7:ups:1Z…"."""
    return ":".join(str(p) for p in (owner, *parts))


def scoped_many(owner: int | str, locals_: list[str]) -> list[str]:
    return [scoped(owner, local) for local in locals_]
