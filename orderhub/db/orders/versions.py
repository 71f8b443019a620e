"""The hub version of an order: a number that changes whenever anything a hub page shows changes,
so that a rendered page can be kept and served again until it does (orderhub.site.pagecache).

Database triggers bump `orders.hub_version`, on both engines, for every insert, update and delete of
the rows listed in `FEEDS` (and for any other change of the order row itself): no service can forget
to, and a change made by another process or host is seen by the next request everywhere, because
the version is read from the database. `orderhub migrate` (re)installs the triggers after the
migrations, from this one list; `tests/integration/test_page_cache.py` fails when a table that
hangs off an order is neither in `FEEDS` nor in `NOT_SHOWN`.

What a page shows of the merchant (brand, policies, settings) is keyed by `merchants.version`;
catalog stock and store details are merchant-wide and reach cached pages within a minute (the
cache's keys carry the minute, which also keeps relative dates right).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from orderhub.db import engine
from orderhub.db.orders.queries import hub_row

#: table -> how its rows reach their order: ("order",) for a direct foreign key, or
#: (parent table, column naming the parent, the parent's own path) for a child of a child
FEEDS: dict[str, tuple[str, ...]] = {
    "order_lines": ("order",),
    "order_changes": ("order",),
    "order_cancellations": ("order",),
    "shipments": ("order",),
    "tracking_events": ("shipments", "shipment"),
    "pickups": ("order",),
    "pickup_events": ("pickups", "pickup"),
    "return_requests": ("order",),
    "return_items": ("return_requests", "request"),
    "return_events": ("return_requests", "request"),
    "return_photos": ("return_requests", "request"),
    "return_replacements": ("order",),
    "return_exchanges": ("return_requests", "request"),
    "return_drafts": ("order",),
    "return_pickups": ("order",),
    "return_labels": ("return_requests", "request"),
    "return_item_reasons": ("return_requests", "request"),
    "claims": ("order",),
    "claim_items": ("claims", "claim"),
    "claim_photos": ("claims", "claim"),
    "feedback_surveys": ("order",),
    "feedback_reviews": ("order",),
    "feedback_review_photos": ("feedback_reviews", "review"),
    "receipts": ("order",),
    "receipt_issues": ("receipts", "receipt"),
    "credit_notes": ("order",),
    "payment_refunds": ("order",),
    "push_subscriptions": ("order",),
    # the "How should we tell you?" panel: a LINE link or SMS opt-in of the order (never moves to another)
    "channel_recipients": ("order_id",),
}

#: tables that hang off an order but that no hub page shows (writing them must not empty the cache:
#: a visit, a tracking view and a finished PDF are written while pages are being looked at)
NOT_SHOWN = frozenset({"analytics_events", "tracking_views", "cached_documents", "document_records"})

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION orderhub_touch_hub() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row_json jsonb;
  order_id bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN row_json := to_jsonb(OLD); ELSE row_json := to_jsonb(NEW); END IF;
  IF TG_NARGS = 1 THEN
    order_id := (row_json ->> TG_ARGV[0])::bigint;
  ELSE
    EXECUTE format('SELECT "order" FROM %I WHERE id = $1', TG_ARGV[0])
      INTO order_id USING (row_json ->> TG_ARGV[1])::bigint;
  END IF;
  IF order_id IS NOT NULL THEN
    UPDATE orders SET hub_version = hub_version + 1 WHERE id = order_id;
  END IF;
  RETURN NULL;
END $$
"""

_PG_ORDER_FUNCTION = """
CREATE OR REPLACE FUNCTION orderhub_touch_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.hub_version = OLD.hub_version THEN NEW.hub_version := OLD.hub_version + 1; END IF;
  RETURN NEW;
END $$
"""


_PG_OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION orderhub_touch_hub_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE orders SET hub_version = hub_version + 1 WHERE id = OLD."order";
  RETURN NULL;
END $$
"""


def _sqlite_order_of(path: tuple[str, ...], row: str) -> str:
    if len(path) == 1:
        return f'{row}."{path[0]}"'
    parent, column = path
    return f'(SELECT "order" FROM {parent} WHERE id = {row}."{column}")'


def sqlite_statements() -> list[str]:
    out = []
    for table, path in FEEDS.items():
        for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            name = f"hub_{table}_{op.lower()}"
            out.append(f"DROP TRIGGER IF EXISTS {name}")
            out.append(
                f"CREATE TRIGGER {name} AFTER {op} ON {table} BEGIN "
                f"UPDATE orders SET hub_version = hub_version + 1 WHERE id = {_sqlite_order_of(path, row)}; END"
            )
        if path == ("order",):  # a row moved to another order changes both
            out.append(f"DROP TRIGGER IF EXISTS hub_{table}_move")
            out.append(
                f'CREATE TRIGGER hub_{table}_move AFTER UPDATE OF "order" ON {table} '
                f'WHEN OLD."order" IS NOT NEW."order" BEGIN '
                f'UPDATE orders SET hub_version = hub_version + 1 WHERE id = OLD."order"; END'
            )
    out.append("DROP TRIGGER IF EXISTS hub_orders_update")
    out.append(
        "CREATE TRIGGER hub_orders_update AFTER UPDATE ON orders WHEN NEW.hub_version = OLD.hub_version "
        "BEGIN UPDATE orders SET hub_version = OLD.hub_version + 1 WHERE id = NEW.id; END"
    )
    return out


def postgres_statements() -> list[str]:
    out = ["SELECT pg_advisory_xact_lock(7245001)", _PG_FUNCTION, _PG_OLD_FUNCTION, _PG_ORDER_FUNCTION]
    for table, path in FEEDS.items():
        args = ", ".join(f"'{a}'" for a in path)
        out.append(
            f"CREATE OR REPLACE TRIGGER hub_touch AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION orderhub_touch_hub({args})"
        )
        if path == ("order",):
            out.append(
                f"CREATE OR REPLACE TRIGGER hub_touch_move AFTER UPDATE ON {table} FOR EACH ROW "
                f'WHEN (OLD."order" IS DISTINCT FROM NEW."order") EXECUTE FUNCTION orderhub_touch_hub_old()'
            )
    out.append(
        "CREATE OR REPLACE TRIGGER hub_touch BEFORE UPDATE ON orders FOR EACH ROW "
        "EXECUTE FUNCTION orderhub_touch_order()"
    )
    return out


async def install() -> None:
    """(Re)install the triggers, in one write transaction (idempotent; `orderhub migrate` runs it)."""
    db = engine.current_engine()
    statements = sqlite_statements() if db.engine_type == "sqlite" else postgres_statements()
    async with engine.write():
        for sql in statements:
            await db.run_ddl(sql)


@dataclass(frozen=True)
class HubStamp:
    """What a cached hub page is keyed on, read in one statement from the token."""

    order_id: int
    merchant_id: int
    order_locale: str
    merchant_locale: str
    version: int
    merchant_version: int
    #: when the link stops opening the hub (None: never); a kept page is never served from then on
    link_expires_at: dt.datetime | None = None
    #: the stamp's row (`orders.queries.hub_row`): a page that is not cached opens the order by its id,
    #: with the link's expiry already worked out (the token is checked again against the row it reads)
    row: dict[str, Any] = field(compare=False, repr=False, default_factory=dict)

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.order_id, self.version, self.merchant_version)


async def hub_stamp(token: str, token_key: bytes) -> HubStamp | None:
    """The stamp of the order a hub token opens, or None for unknown, revoked and malformed tokens
    (the same checks as `orders.queries.load_hub`)."""
    row = await hub_row(token, token_key)
    if row is None:
        return None
    return HubStamp(order_id=row["id"], merchant_id=row["merchant"], order_locale=row["locale"] or "",
                    merchant_locale=row["merchant_locale"] or "", version=int(row["hub_version"]),
                    merchant_version=int(row["merchant_version"]), link_expires_at=row["link_expires_at"], row=row)
