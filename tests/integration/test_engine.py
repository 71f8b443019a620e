"""The data layer's promises: concurrent read-then-write transactions never fail with "database is
locked" (IMMEDIATE on SQLite), a failed transaction rolls back and frees its connection, and a
request's queries share one connection."""

from __future__ import annotations

import asyncio

import pytest

from orderhub.db import engine


async def test_concurrent_read_then_write_transactions_all_succeed(db, merchants):
    from orderhub.db.merchants.tables import Merchant

    async def bump():
        async with engine.write():
            row = await Merchant.select(Merchant.version).where(Merchant.slug == "acme").first()
            assert row["version"] >= 1
            await asyncio.sleep(0)  # let others interleave between the read and the write
            await Merchant.update({Merchant.version: Merchant.version + 1}).where(Merchant.slug == "acme")

    before = (await _version())
    await asyncio.gather(*(bump() for _ in range(200)))
    assert await _version() == before + 200  # every transaction committed: none "database is locked"


async def _version() -> int:
    from orderhub.db.merchants.tables import Merchant

    async with engine.read():
        return (await Merchant.select(Merchant.version).where(Merchant.slug == "acme").first())["version"]


async def test_a_failed_write_rolls_back_and_frees_its_connection(db, merchants):
    from orderhub.db.merchants.tables import Merchant

    before = await _version()
    for _ in range(30):  # more failures than the pool has connections
        with pytest.raises(RuntimeError):
            async with engine.write():
                await Merchant.update({Merchant.version: 999}).where(Merchant.slug == "acme")
                raise RuntimeError("boom")
    assert await _version() == before


async def test_nested_scopes_share_one_connection(db):
    """A read inside a read, and a read or a write inside a write, join the outer transaction."""
    from orderhub.db.piccolo_conf import DB

    async with engine.read():
        outer = DB.current_transaction.get()
        async with engine.read():
            assert DB.current_transaction.get() is outer
    async with engine.write():
        outer = DB.current_transaction.get()
        async with engine.read():
            assert DB.current_transaction.get() is outer
        async with engine.write():
            assert DB.current_transaction.get() is outer


async def test_a_write_inside_a_read_raises_at_once(db, merchants):
    """It would otherwise run in the read transaction (on SQLite: "database is locked" under load)."""
    from orderhub.db.merchants.tables import Merchant

    async with engine.read():
        with pytest.raises(engine.WriteInsideRead, match="inside a read scope"):
            async with engine.write():
                await Merchant.update({Merchant.version: 999}).where(Merchant.slug == "acme")
    async with engine.read():
        row = await Merchant.select(Merchant.version).where(Merchant.slug == "acme").first()
    assert row["version"] != 999
    # the scope state is per task and is left clean: a write now works
    async with engine.write():
        await Merchant.update({Merchant.version: 7}).where(Merchant.slug == "acme")
