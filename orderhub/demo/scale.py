"""`orderhub demo --scale N`: a database at a real shop's volume, for benchmarks and query plans.

After the ordinary demo, its orders are copied until there are N orders in all: every copy keeps
its source's shape (lines, shipments with their tracking events, returns with their items and
history, surveys, reviews, analytics events), with its own keys, number, hub token and tracking
numbers, and finished orders are moved back in time so the history spreads over about a year. Copies
are bought by many shoppers (a new email for every three copies: some shoppers come back), so what is
read per shopper (the survey cap) sees one shopper's history, not the whole shop's.
Rows go in level by level in batches through Piccolo, so it runs on SQLite and PostgreSQL alike.
About 10 tracking events per shipped order: N = 100,000 gives roughly a million events.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from piccolo.columns import ForeignKey
from piccolo.table import Table

from orderhub.db import engine
from orderhub.db.analytics.tables import AnalyticsEvent
from orderhub.db.feedback import rules as feedback_rules
from orderhub.db.feedback.tables import Review, Survey
from orderhub.db.keys import scoped
from orderhub.db.orders.tables import Order, OrderLine
from orderhub.db.returns.tables import ReturnEvent, ReturnItem, ReturnRequest
from orderhub.db.shipping.tables import Shipment, TrackingEvent
from orderhub.db.tokens import hub_token, token_hash

#: orders that stay where they are in time (their state depends on "now")
LIVE_STATES = ("unfulfilled", "processing", "partially_shipped", "shipped", "ready_for_pickup")
BATCH = 400


@dataclass(frozen=True)
class Child:
    """A table copied with its parent: `parent` names the foreign key that points at the copied parent."""

    table: type[Table]
    parent: str
    #: other foreign keys to map through rows copied earlier (column -> table they point at)
    also: tuple[tuple[str, type[Table]], ...] = ()
    #: copy with one copy in `every` (the demo's dashboard history is dense: a sample is enough)
    every: int = 1


#: in the order they are copied: every table's parents come before it
CHILDREN: tuple[Child, ...] = (
    Child(OrderLine, "order"),
    Child(Shipment, "order"),
    Child(TrackingEvent, "shipment"),
    Child(ReturnRequest, "order"),
    Child(ReturnItem, "request", also=(("line", OrderLine),)),
    Child(ReturnEvent, "request"),
    Child(Survey, "order"),
    Child(Review, "order", also=(("line", OrderLine),)),
    Child(AnalyticsEvent, "order", every=100),
)


def _unique_text(table: type[Table]) -> list[str]:
    return [c._meta.name for c in table._meta.columns
            if c._meta.unique and c._meta.name != "id" and not isinstance(c, ForeignKey)]


def _shift(row: dict[str, Any], by: dt.timedelta) -> None:
    for name, value in row.items():
        if isinstance(value, dt.datetime):
            row[name] = value - by
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            row[name] = value - by


async def _insert(table: type[Table], rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        async with engine.write():
            done = await table.insert(*[table(**row) for row in chunk]).returning(table._meta.primary_key)
        ids += [r["id"] for r in done]
    return ids


async def _rows(table: type[Table], column: str, ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    by_parent: dict[int, list[dict[str, Any]]] = defaultdict(list)
    async with engine.read():
        for row in await table.select().where(getattr(table, column).is_in(list(ids))).order_by(table._meta.primary_key):
            by_parent[row[column]].append(row)
    return by_parent


async def scale(target: int, token_key: bytes, now: dt.datetime,
                progress: Callable[[int], None] = lambda done: None) -> int:
    """Copy the demo's orders until there are `target` orders; answers how many were added."""
    async with engine.read():
        sources = await Order.select().order_by(Order.id)
        have = await Order.count()
    if not sources or have >= target:
        return 0
    # every source order's tree, loaded once: table -> parent id -> rows
    tree: dict[type[Table], dict[int, list[dict[str, Any]]]] = {}
    ids_of: dict[type[Table], set[int]] = {Order: {o["id"] for o in sources}}
    for child in CHILDREN:
        parent_table = cast(ForeignKey, child.table._meta.get_column_by_name(child.parent))._foreign_key_meta.resolved_references
        tree[child.table] = await _rows(child.table, child.parent, ids_of.get(parent_table, set()))
        ids_of[child.table] = {r["id"] for rows in tree[child.table].values() for r in rows}
    added, copy_no = 0, have
    while have + added < target:
        wanted = min(target - have - added, 2000)
        plan = [(sources[i % len(sources)], copy_no + i) for i in range(wanted)]
        copy_no += wanted
        added += await _copy(plan, tree, token_key)
        progress(have + added)
    return added


def _shopper_email(source: str, n: int) -> str:
    """Copy `n`'s shopper: the source's address with a shopper number, one per three copies."""
    local, _, domain = source.partition("@")
    return f"{local or 'shopper'}+s{n // 3}@{domain or 'example.com'}"


async def _copy(plan: list[tuple[dict[str, Any], int]], tree: dict[type[Table], dict[int, list[dict[str, Any]]]],
                token_key: bytes) -> int:
    """One batch of copies: each (source order, copy number) becomes a new order with its tree."""
    shifts: list[dt.timedelta] = []
    email_keys: list[str] = []
    orders = []
    for source, n in plan:
        row = {k: v for k, v in source.items() if k != "id"}
        external = f"{source['external_id']}-x{n}"
        row["external_id"] = external
        row["number"] = f"{source['number']}-{n}"
        row["key"] = scoped(source["merchant"], external)
        row["token_generation"] = 1
        row["link_issued_at"] = None
        row["token_hash"] = token_hash(hub_token(token_key, row["key"], 1))
        by = dt.timedelta(days=n % 365) if source["fulfillment_status"] not in LIVE_STATES else dt.timedelta(0)
        _shift(row, by)
        shifts.append(by)
        email = _shopper_email(source.get("customer_email") or "", n)
        row["customer_email"] = email
        customer = row.get("customer")
        customer = json.loads(customer) if isinstance(customer, str) else customer
        if isinstance(customer, dict) and "email" in customer:
            row["customer"] = json.dumps({**customer, "email": email})
        email_keys.append(feedback_rules.email_key(email))
        orders.append(row)
    new_order_ids = await _insert(Order, orders)
    # (table, source row id, copy index) -> new id, for every copied row
    mapped: dict[type[Table], dict[tuple[int, int], int]] = {
        Order: {(source["id"], i): new for i, ((source, _), new) in enumerate(zip(plan, new_order_ids, strict=True))}
    }
    for child in CHILDREN:
        parent_table = cast(ForeignKey, child.table._meta.get_column_by_name(child.parent))._foreign_key_meta.resolved_references
        rows, origin = [], []
        for (old_parent, i), new_parent in mapped.get(parent_table, {}).items():
            n = plan[i][1]
            if n % child.every:
                continue
            for source_row in tree[child.table].get(old_parent, []):
                row = {k: v for k, v in source_row.items() if k != "id"}
                row[child.parent] = new_parent
                for column, table in child.also:
                    if row.get(column) is not None:
                        row[column] = mapped[table].get((row[column], i), row[column])
                for column in _unique_text(child.table):
                    row[column] = f"{row[column]}~{n}"
                if child.table is Survey:
                    row["email_key"] = email_keys[i]
                if child.table is Shipment:
                    row["tracking_number"] = f"{row['tracking_number']}{n:07d}"
                    row["tracking_key"] = f"{row['tracking_key']}{n:07d}"
                _shift(row, shifts[i])
                rows.append(row)
                origin.append((source_row["id"], i))
        new_ids = await _insert(child.table, rows)
        mapped[child.table] = dict(zip(origin, new_ids, strict=True))
    return len(new_order_ids)
