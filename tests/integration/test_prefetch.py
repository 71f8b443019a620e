"""The order page's reads said beforehand (`statements.prefetch`): on PostgreSQL they reach the
database as one statement, and every page shows exactly what it shows when each read goes on its
own; on SQLite (no round trips to save) nothing changes. A prefetched answer is the same rows, in the
same order, with the same Python types as the read's own; it is taken once, only inside a read
scope, and never stands in for a read with other arguments."""

from __future__ import annotations

import asyncpg
import pytest

from orderhub import demo
from orderhub.db import engine, statements
from orderhub.db.orders import queries as order_queries
from orderhub.db.orders.tables import Order
from orderhub.site.confirmation.summary import summary_reads


@pytest.fixture
async def demo_orders(db, settings, clock):
    return (await demo.create(settings, clock())).orders


class Statements:
    """Every statement the app sends to PostgreSQL (asyncpg's connection methods, counted)."""

    def __init__(self, monkeypatch) -> None:
        self.sent: list[str] = []
        for name in ("fetch", "fetchrow", "fetchval", "execute"):
            original = getattr(asyncpg.Connection, name)

            def counted(conn, query, *args, __original=original, **kwargs):
                self.sent.append(query)
                return __original(conn, query, *args, **kwargs)

            monkeypatch.setattr(asyncpg.Connection, name, counted)


#: the hub's pages that say their reads beforehand
SECTIONS = ("", "/tracking", "/pickup", "/returns")


async def _pages(client, demo_orders) -> dict[str, str]:
    pages = {}
    for order in demo_orders:
        for section in SECTIONS:
            for lang in ("ja", "en"):
                r = await client.get(f"/o/{order.token}{section}?lang={lang}")
                pages[f"{order.external_id} {order.state} {section} {lang}"] = f"{r.status_code}\n{r.text}"
    return pages


async def test_every_demo_order_s_pages_are_the_same_with_their_reads_prefetched_or_not(app, client, demo_orders,
                                                                                 monkeypatch):
    app.state.page_cache.max_entries = 0  # every request renders
    prefetched = await _pages(client, demo_orders)

    async def one_by_one(reads) -> None:
        return None

    monkeypatch.setattr(statements, "prefetch", one_by_one)
    alone = await _pages(client, demo_orders)
    assert len(prefetched) == 2 * len(SECTIONS) * len(demo_orders) > 80
    shown = [label for label, page in prefetched.items() if page.startswith("200\n")]
    assert {label.split(" ")[-2] for label in shown} == set(SECTIONS) - {""} | {""}  # each section shown
    assert len(shown) > 40
    for label, page in prefetched.items():
        assert page == alone[label], label


async def test_the_order_page_reads_postgresql_in_two_statements(db, app, client, demo_orders, monkeypatch):
    app.state.page_cache.max_entries = 0
    order = next(o for o in demo_orders if o.state == "delivered")
    await client.get(f"/o/{order.token}")  # the statements' column names are asked once per process
    number = (await Order.select(Order.number).where(Order.id == order.order_id).first())["number"]
    spy = Statements(monkeypatch)
    r = await client.get(f"/o/{order.token}?lang=en")
    assert r.status_code == 200 and f"Order {number}" in r.text
    if db.engine_type == "postgres":
        # the page cache's stamp, then the order's row, its lines, shipments, survey, refunds,
        # cancellations and delivery changes together
        assert len(spy.sent) == 2, spy.sent
        assert spy.sent[1].startswith("SELECT ARRAY(SELECT q FROM (")
    else:
        assert spy.sent == []  # SQLite: no round trips, nothing sent through asyncpg


async def test_a_prefetched_answer_is_the_read_s_own_rows_values_and_types(db, demo_orders):
    for demo_order in demo_orders:
        async with engine.read():
            row = order_queries.ORDER_COLUMNS.row(await order_queries._ORDER_BY_ID.first(demo_order.order_id))
            reads = [*order_queries._view_reads(row), *summary_reads(row)]
            own = [await read.all() for read in reads]
        async with engine.read():
            await statements.prefetch(reads)
            kept = [await read.all() for read in reads]
        assert kept == own, demo_order.external_id
        for kept_rows, own_rows in zip(kept, own, strict=True):
            for kept_row, own_row in zip(kept_rows, own_rows, strict=True):
                assert list(kept_row) == list(own_row)
                assert [type(v) for v in kept_row.values()] == [type(v) for v in own_row.values()]
    assert any(rows for rows in own)  # the last order's page reads something


async def test_a_prefetched_answer_is_taken_once_and_only_for_its_own_arguments(db, orders, monkeypatch):
    first, other = orders["jp_ship"].id, orders["us_ship"].id
    read = order_queries._ORDER_BY_ID.read(first)
    async with engine.read():
        await statements.prefetch([read])
        spy = Statements(monkeypatch)
        assert (await read.first())["o__id"] == first
        assert spy.sent == []  # the kept answer
        assert (await order_queries._ORDER_BY_ID.first(other))["o__id"] == other  # not the kept row
        assert (await read.first())["o__id"] == first  # asked again: read again
        assert len(spy.sent) == (2 if db.engine_type == "postgres" else 0)


async def test_a_write_scope_reads_its_own_writes_whatever_was_prefetched(db, orders):
    order_id = orders["jp_ship"].id
    read = order_queries._ORDER_BY_ID.read(order_id)
    async with engine.write():
        await statements.prefetch([read])  # nothing kept: a write scope must see its own changes
        await Order.update({Order.number: "1042-W"}).where(Order.id == order_id)
        assert (await read.first())["o__number"] == "1042-W"


async def test_reads_keyed_on_a_stamp_older_than_the_order_are_read_again(app, client, demo_orders, monkeypatch):
    """The page cache's stamp was read a moment before the order's row: a read keyed on a value that
    changed in between (the shopper's email, the pickup store) finds no kept answer and is read again."""
    from orderhub.db.orders import versions

    app.state.page_cache.max_entries = 0
    orders = [o for o in demo_orders if o.state in ("delivered", "ready_for_pickup")]
    assert {o.state for o in orders} == {"delivered", "ready_for_pickup"}
    fresh = {o.token: (await client.get(f"/o/{o.token}?lang=en")).text for o in orders}
    stamp_of = versions.hub_row

    async def stale(token, token_key):
        row = await stamp_of(token, token_key)
        if row is not None:
            row = {**row, "customer_email": "someone-else@example.com", "fulfillment": {"store_code": "NOPE"}}
        return row

    monkeypatch.setattr(versions, "hub_row", stale)
    for order in orders:
        assert (await client.get(f"/o/{order.token}?lang=en")).text == fresh[order.token], order.external_id


@pytest.mark.parametrize(("section", "state"), [("/tracking", "shipped"), ("/pickup", "ready_for_pickup"),
                                                ("/returns", "returned")])
async def test_a_section_page_sends_its_reads_together_on_postgresql(db, app, client, demo_orders, monkeypatch,
                                                                     section, state):
    app.state.page_cache.max_entries = 0
    order = next(o for o in demo_orders if o.state == state)
    url = f"/o/{order.token}{section}?lang=en"
    before = (await client.get(url)).text
    spy = Statements(monkeypatch)
    r = await client.get(url)
    assert r.status_code == 200 and r.text == before
    together = list(spy.sent)

    async def one_by_one(reads) -> None:
        return None

    monkeypatch.setattr(statements, "prefetch", one_by_one)
    alone = Statements(monkeypatch)
    assert (await client.get(url)).text == before
    if db.engine_type == "postgres":
        assert len([sql for sql in together if sql.startswith("SELECT ARRAY(SELECT q FROM (")]) == 1
        # the page's own reads (shipments, events, lines, the panel's three; the pickup and the
        # panel; the lines, delivery dates, returns and claims with their items) in one statement
        assert len(together) <= len(alone.sent) - {"/tracking": 5, "/pickup": 3, "/returns": 5}[section]
    else:
        assert together == alone.sent == []


@pytest.mark.parametrize(("section", "state"), [("/pickup", "ready_for_pickup"), ("/returns", "delivered")])
async def test_a_section_page_of_an_order_without_returns_reads_postgresql_in_two_statements(
        db, app, client, demo_orders, monkeypatch, section, state):
    app.state.page_cache.max_entries = 0
    order = next(o for o in demo_orders if o.state == state)
    url = f"/o/{order.token}{section}?lang=en"
    before = (await client.get(url)).text  # the statements' column names are asked once per process
    spy = Statements(monkeypatch)
    r = await client.get(url)
    assert r.status_code == 200 and r.text == before
    if db.engine_type == "postgres":
        # the page cache's stamp, then everything else in one statement: the returns page takes the
        # order's row and the merchant from the hub, and whether the merchant makes labels with the rest
        assert len(spy.sent) == 2, "\n".join(q[:150] for q in spy.sent)
        assert spy.sent[1].startswith("SELECT ARRAY(SELECT q FROM (")
    else:
        assert spy.sent == []
