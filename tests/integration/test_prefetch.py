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
from orderhub.db.returns import exchanges, label_queries, reason_store, replacements
from orderhub.db.returns import queries as return_queries
from orderhub.db.returns.exchange_tables import ReturnExchange
from orderhub.db.returns.label_tables import ReturnLabel
from orderhub.db.returns.reason_tables import ReturnItemReason
from orderhub.db.returns.tables import Replacement, ReturnItem, ReturnRequest
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


@pytest.mark.parametrize(("section", "state"), [("/pickup", "ready_for_pickup"), ("/returns", "delivered"),
                                                ("/returns", "returned")])
async def test_the_pickup_and_returns_pages_read_postgresql_in_two_statements(
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
        # order's row and the merchant from the hub, and reads whether the merchant makes labels and
        # its returns' item reasons, replacements, exchanges and labels by the order with the rest
        assert len(spy.sent) == 2, "\n".join(q[:150] for q in spy.sent)
        assert spy.sent[1].startswith("SELECT ARRAY(SELECT q FROM (")
    else:
        assert spy.sent == []


async def test_the_returns_page_is_the_same_with_its_returns_parts_read_by_the_order_or_by_their_ids(
        app, client, demo_orders, monkeypatch):
    app.state.page_cache.max_entries = 0
    # the demo has returns with each part the overview reads by the order
    assert await ReturnItemReason.count()  # the demo's returns give each item its own reason
    pages = {}
    for order in demo_orders:
        for lang in ("ja", "en"):
            r = await client.get(f"/o/{order.token}/returns?lang={lang}")
            pages[(order.token, lang)] = f"{r.status_code}\n{r.text}"
    built = return_queries._built

    async def by_their_ids(*args, order_id=None):
        return await built(*args)

    monkeypatch.setattr(return_queries, "_built", by_their_ids)
    for (token, lang), page in pages.items():
        r = await client.get(f"/o/{token}/returns?lang={lang}")
        assert f"{r.status_code}\n{r.text}" == page, (token, lang)
    assert sum("RMA-" in page for page in pages.values()) >= 4



async def test_a_return_s_parts_read_by_the_order_are_those_read_by_the_return_s_ids(db, demo_orders, clock):
    """Item reasons, replacements, exchanges and labels: the same views, values and types, on both engines."""
    now = clock()
    request = await ReturnRequest.objects().first()
    assert request is not None
    order_id, merchant_id = request.order, request.merchant
    other = await Replacement.insert(Replacement(  # a claim's, of the same order: read by the order too
        merchant=merchant_id, order=order_id, key=f"claim:{request.id}", number="R-2", status="held",
        items=[{"line_id": "L2", "title": "Socks", "sku": "S-2", "option": "M", "quantity": 2, "product_id": "p2"}],
        created_at=now, updated_at=now))
    assert other
    await Replacement.insert(Replacement(
        merchant=merchant_id, order=order_id, key=f"return:{request.id}", number="R-1", status="issued",
        items=[{"line_id": "L1", "title": "Shoe", "sku": "S-1", "option": "27cm", "quantity": 1, "product_id": "p1"}],
        created_at=now, updated_at=now))
    await ReturnExchange.insert(ReturnExchange(
        merchant=merchant_id, request=request.id, key=f"return:{request.id}", currency="JPY",
        items=[{"product_id": "p1", "sku": "S-1", "title": "Shoe", "option": "27cm", "quantity": 1,
                "unit_price_minor": 12000, "image_url": "", "texts": {"ja": {"title": "靴"}}, "amount_minor": 12000,
                "tax_minor": 1091}],
        settlement={"currency": "JPY", "value_minor": 12000, "bonus_minor": 500, "new_total_minor": 12000,
                    "new_tax_minor": 1091, "bonus_used_minor": 0, "to_pay_minor": 0, "refund_minor": 500},
        refund_minor=500, payment_status="not_needed", paid_at=None, refunded_at=now, difference_refunded_minor=0,
        created_at=now, updated_at=now))
    await ReturnLabel.insert(ReturnLabel(
        merchant=merchant_id, request=request.id, provider="easypost", state="created", attempts=1,
        next_attempt_at=now, idempotency_key="k-1", carrier="USPS", tracking_number="9400", label_url="https://x/l",
        label_pdf=b"%PDF", cost_minor=800, currency="JPY", created_at=now, updated_at=now))
    items = [r["id"] for r in await ReturnItem.select(ReturnItem.id).where(ReturnItem.request == request.id)]
    async with engine.read():
        by_ids = (await reason_store.for_items(items), await replacements.for_sources([f"return:{request.id}"]),
                  await exchanges.for_returns([request.id]), await label_queries.labels_for([request.id]))
        by_order = (await reason_store.for_order(order_id), await replacements.for_order(order_id),
                    await exchanges.for_order(order_id), await label_queries.labels_for_order(order_id))
    reasons, reps, swaps, labels = by_order
    assert reasons == by_ids[0] and reasons  # the demo return's items have their own reasons
    assert reps[f"return:{request.id}"] == by_ids[1][f"return:{request.id}"]
    assert reps[f"claim:{request.id}"].number == "R-2" and set(reps) == {f"return:{request.id}", f"claim:{request.id}"}
    assert swaps == by_ids[2] and swaps[request.id].settlement.refund_minor == 500
    assert labels == by_ids[3] and labels[request.id].tracking_number == "9400"
    for mine, theirs in zip(by_order, by_ids, strict=True):
        for key, view in theirs.items():
            assert {k: type(v) for k, v in vars(mine[key]).items()} == {k: type(v) for k, v in vars(view).items()}
