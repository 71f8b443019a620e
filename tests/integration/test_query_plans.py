"""Every statement of the hot paths (the hub's pages, the page cache's stamp, carrier ingest) reads a
large table through an index: the planner's own plan is asked for each, on the engine under test,
and a full scan of a table that grows with the shop fails.

On PostgreSQL, tiny test tables make a sequential scan the cheapest plan even where an index fits,
so sequential scans are priced out (`enable_seqscan = off`): a plan that still scans has no index
to use. On SQLite, `EXPLAIN QUERY PLAN` names every `SCAN` of a table.
"""

from __future__ import annotations

import re

import pytest

from orderhub.db import engine
from orderhub.db.statements import Statement
from tests.conftest import bearer
from tests.returns_support import walk
from tests.tracking_support import events_body, post_events, put_shipment

#: tables that grow with orders, shipments and visits (small per-merchant tables are not listed)
LARGE = {
    "orders", "order_lines", "products", "shipments", "tracking_events", "tracking_views", "pickups",
    "pickup_events", "return_requests", "return_items", "return_events", "return_photos", "return_drafts",
    "return_replacements", "claims", "claim_items", "claim_photos", "feedback_surveys", "feedback_reviews",
    "feedback_review_photos", "receipts", "receipt_issues", "cached_documents", "analytics_events",
    "email_messages", "webhook_deliveries",
}

HOT_PAGES = ["", "/tracking", "/returns", "/feedback"]


@pytest.fixture
def captured(db, monkeypatch):
    """Every statement the engine runs, as (sql, args) in the engine's own dialect."""
    statements: list[tuple[str, list]] = []
    original = type(db).run_querystring

    async def spy(self, querystring, in_pool: bool = True):
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        statements.append((sql, list(args)))
        return await original(self, querystring, in_pool=in_pool)

    monkeypatch.setattr(type(db), "run_querystring", spy)  # the PostgreSQL engine has __slots__
    fixed_all = Statement.all

    async def spy_fixed(self, *args):
        statements.append((self.sql if db.engine_type == "sqlite" else self.pg_sql, list(args)))
        return await fixed_all(self, *args)

    monkeypatch.setattr(Statement, "all", spy_fixed)  # the fixed statements (orderhub.db.statements)
    return statements


async def _plan(db, sql: str, args: list) -> list[str]:
    if db.engine_type == "sqlite":
        async with engine.read():
            conn = db.current_transaction.get().connection
            rows = await db._run_in_existing_connection(conn, f"EXPLAIN QUERY PLAN {sql}", args)
            return [row["detail"] for row in rows]
    async with db.transaction() as tx:
        await tx.connection.execute("SET LOCAL enable_seqscan = off")
        rows = await tx.connection.fetch(f"EXPLAIN {sql}", *args)
        await tx.rollback()
    return [r[0] for r in rows]


def _full_scans(db, plan: list[str]) -> list[str]:
    if db.engine_type == "sqlite":
        pattern = re.compile(r"^SCAN (\w+)(?! USING (?:COVERING )?INDEX \w+ \()")
    else:
        pattern = re.compile(r"Seq Scan on (\w+)")
    out = []
    for line in plan:
        m = pattern.search(line.strip())
        if m and m.group(1) in LARGE:
            out.append(line.strip())
    return out


def _sorted_to_keep_a_few(db, sql: str, plan: list[str]) -> list[str]:
    """SQLite: a statement that keeps a few rows (LIMIT) after sorting every row its index found (a
    temporary B-tree for ORDER BY): on a busy lane or shop that is tens of thousands of rows."""
    if db.engine_type != "sqlite" or " LIMIT " not in sql.upper():
        return []
    return [line.strip() for line in plan if "USE TEMP B-TREE FOR ORDER BY" in line]


async def _assert_indexed(db, statements: list[tuple[str, list]]) -> int:
    checked, problems = 0, []
    for sql, args in statements:
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in ("SELECT", "UPDATE", "DELETE", "WITH"):
            continue
        checked += 1
        plan = await _plan(db, sql, args)
        scans = _full_scans(db, plan) + _sorted_to_keep_a_few(db, sql, plan)
        if scans:
            problems.append(f"{sql}\n    -> {scans}")
    assert problems == [], "full scans of large tables:\n" + "\n".join(problems)
    return checked


async def test_hub_pages_and_their_cache_stamp_use_indexes(app, client, db, merchants, orders, captured):
    _, key, _ = merchants["yamakaze"]
    await put_shipment(client, key)
    await post_events(client, key, events_body())
    await walk(client, f"/o/{orders['jp_ship'].token}/returns", items={"L1": 1})
    app.state.page_cache.max_entries = 0  # every request renders: the whole data path is measured
    captured.clear()
    for name in ("jp_ship", "jp_pickup"):
        token = orders[name].token
        for path in [*HOT_PAGES, "/pickup"]:
            await client.get(f"/o/{token}{path}?lang=ja")
    assert await _assert_indexed(db, captured) >= 20


async def test_carrier_ingest_uses_indexes(client, db, merchants, orders, captured):
    _, key, _ = merchants["yamakaze"]
    await put_shipment(client, key)
    captured.clear()
    r = await post_events(client, key, events_body())
    assert r.status_code in (200, 201, 202)
    again = await client.put("/api/v1/orders/jp_ship/shipments/S1", json={"carrier": "yamato",
                             "tracking_number": "401234567890"}, headers=bearer(key))
    assert again.status_code < 500
    assert await _assert_indexed(db, captured) >= 3


async def test_the_delay_job_uses_indexes(client, db, merchants, orders, captured, clock):
    """`order.delayed`'s job reads the orders still to ship (fulfilment status), then their lines,
    and claims each late one by its id: no scan of the shop's whole order history."""
    from orderhub.db.orders import delays

    clock.advance(days=30)  # the fixture orders are unshipped and long past their promise
    captured.clear()
    announced = await delays.announce_delays(clock())
    assert announced  # the job found late orders and told their shoppers
    sqls = [sql for sql, _ in captured]
    assert any("fulfillment_status" in sql for sql in sqls)
    assert await _assert_indexed(db, captured) >= 3


async def test_a_lanes_learnt_transit_reads_its_newest_parcels_by_index(client, db, merchants, orders, captured):
    """The promise of a parcel on its way reads its lane's newest delivered parcels (LIMIT 200): walked
    newest first through the lane's transit index, never sorted from every delivered parcel of the lane."""
    from orderhub.db.shipping import queries
    from orderhub.db.shipping.tables import Shipment

    _, key, _ = merchants["yamakaze"]
    await put_shipment(client, key)
    await post_events(client, key, events_body())
    async with engine.read():
        lane = (await Shipment.select(Shipment.lane).first())["lane"]
    assert lane
    captured.clear()
    transit = await queries.lane_transit(lane, {})
    assert transit is not None
    assert any("transit_days" in sql for sql, _ in captured)
    assert await _assert_indexed(db, captured) >= 1


async def test_the_check_sees_a_full_scan(db):
    """The checker itself: a filter on an unindexed column of a large table is reported."""
    placeholder = "?" if db.engine_type == "sqlite" else "$1"
    sql = f'SELECT id FROM tracking_events WHERE message = {placeholder}'
    with pytest.raises(AssertionError, match="tracking_events"):
        await _assert_indexed(db, [(sql, ["x"])])
