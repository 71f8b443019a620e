"""Every hub request's first read (the order its token opens, the page cache's stamp): reads asked for
together are answered together on PostgreSQL, each with its own row, never with a row older than the
moment it was asked for."""

from __future__ import annotations

import asyncio

import pytest

from orderhub.db import engine
from orderhub.db.orders import versions
from orderhub.db.orders.queries import HUB_STAMP
from orderhub.db.orders.tables import Order


class Spy:
    """The PostgreSQL pool with its `fetch` counted (the batches sent), and held while `hold` is
    clear; everything else the pool's own."""

    def __init__(self, pool) -> None:
        self.pool = pool
        self.calls: list[list[str]] = []
        self.hold = asyncio.Event()
        self.hold.set()
        self.fail: Exception | None = None

    async def fetch(self, sql, keys):
        self.calls.append(list(keys))
        await self.hold.wait()
        if self.fail is not None:
            raise self.fail
        return await self.pool.fetch(sql, keys)

    def __getattr__(self, name):
        return getattr(self.pool, name)


@pytest.fixture
def spy(db, monkeypatch):
    """The pool's batches on PostgreSQL; None on SQLite, where each read is its own (on the event
    loop's thread, in microseconds: a batch would only add waiting)."""
    if db.engine_type != "postgres":
        return None
    watcher = Spy(db.pool)
    monkeypatch.setattr(db, "pool", watcher)
    return watcher


async def until(condition) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the condition never held")


async def test_reads_asked_together_each_get_their_own_row(settings, orders, spy):
    key = settings.key_for("hub-token")
    names = ["jp_ship", "jp_pickup", "us_ship", "jp_ship"]
    tokens = [orders[n].token for n in names] + ["A" * len(orders["jp_ship"].token)]
    stamps = await asyncio.gather(*(versions.hub_stamp(t, key) for t in tokens))
    assert [s.order_id if s else None for s in stamps] == [orders[n].id for n in names] + [None]
    assert stamps[0] is not stamps[3] and stamps[0].row is not stamps[3].row  # each its own row to change
    if spy is not None:  # five reads, one statement
        assert len(spy.calls) == 1 and len(spy.calls[0]) == len(set(spy.calls[0])) >= 3
    # a token of the wrong key opens nothing, batched or not
    assert await versions.hub_stamp(orders["jp_ship"].token, settings.key_for("another")) is None


async def test_a_read_asked_after_a_change_never_joins_a_batch_already_sent(settings, orders, spy):
    key, token, order_id = settings.key_for("hub-token"), orders["jp_ship"].token, orders["jp_ship"].id
    before = await versions.hub_stamp(token, key)
    if spy is not None:
        spy.hold.clear()  # the next batch stays out until released
    first = asyncio.create_task(versions.hub_stamp(token, key))
    if spy is not None:
        await until(lambda: len(spy.calls) == 2)  # sent (and held)
    async with engine.write():  # a change committed while that batch is out
        await Order.update({Order.number: "1042-B"}).where(Order.id == order_id)
    second = asyncio.create_task(versions.hub_stamp(token, key))
    if spy is not None:
        await until(lambda: len(spy.calls) == 3)  # a batch of its own
        spy.hold.set()
    assert (await first).version >= before.version
    assert (await second).version > before.version


async def test_a_failed_batch_fails_each_of_its_reads_and_the_next_one_works(settings, orders, spy):
    key = settings.key_for("hub-token")
    if spy is not None:
        spy.fail = ConnectionError("the database went away")
        results = await asyncio.gather(*(versions.hub_stamp(orders[n].token, key) for n in ("jp_ship", "us_ship")),
                                       return_exceptions=True)
        assert [type(r) for r in results] == [ConnectionError, ConnectionError]
        spy.fail = None
    assert (await versions.hub_stamp(orders["us_ship"].token, key)).order_id == orders["us_ship"].id


async def test_a_read_given_up_leaves_the_others_of_its_batch_answered(settings, orders, spy):
    key = settings.key_for("hub-token")
    if spy is not None:
        spy.hold.clear()
    gone = asyncio.create_task(versions.hub_stamp(orders["jp_ship"].token, key))
    kept = asyncio.create_task(versions.hub_stamp(orders["us_ship"].token, key))
    if spy is not None:
        await until(lambda: len(spy.calls) == 1)
    gone.cancel()  # its request went away
    if spy is not None:
        spy.hold.set()
    assert (await kept).order_id == orders["us_ship"].id
    with pytest.raises(asyncio.CancelledError):
        await gone


async def test_inside_a_scope_the_read_is_the_scope_s_own(settings, orders, spy):
    """A scope's reads must see its own writes: never batched with reads outside it."""
    from orderhub.db.tokens import token_hash

    order_id = orders["jp_ship"].id
    async with engine.write():
        await Order.update({Order.number: "1042-S"}).where(Order.id == order_id)
        bumped = (await Order.select(Order.hub_version).where(Order.id == order_id).first())["hub_version"]
        row = await HUB_STAMP.row(token_hash(orders["jp_ship"].token))
        assert row is not None and row["id"] == order_id and row["hub_version"] == bumped
    if spy is not None:
        assert spy.calls == []


async def test_a_stamp_read_inside_a_scope_is_a_row_like_any_other(settings, orders):
    """Inside a read scope the stamp is read through the scope's own connection (on PostgreSQL an
    asyncpg Record comes back there): the caller still gets a plain row it can add to."""
    token = orders["jp_ship"].token
    outside = await versions.hub_stamp(token, settings.key_for("hub-token"))
    async with engine.read():
        inside = await versions.hub_stamp(token, settings.key_for("hub-token"))
    assert outside is not None and inside is not None
    assert inside.row["id"] == orders["jp_ship"].id and inside.key == outside.key
