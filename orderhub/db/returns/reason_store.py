"""Each returned item's reason, stored and read back (reason_tables.ReturnItemReason). A return made
before per-item reasons has no rows: every item takes the return's one reason."""

from __future__ import annotations

from typing import Any

from orderhub.db import engine, statements
from orderhub.db.returns.reason_rules import ItemReason
from orderhub.db.returns.reason_tables import ReturnItemReason


async def save_item(return_id: int, item_id: int, item: ItemReason) -> None:
    """Inside the submit's write."""
    await ReturnItemReason(request=return_id, item=item_id, line_id=item.line_id, reason=item.reason,
                           comment=item.comment, fee_minor=item.fee_minor, fee_waived=item.fee_waived,
                           photos=list(item.photos)).save()


async def for_items(item_ids: list[int]) -> dict[int, ItemReason]:
    """{return item id: its reason} for the items that have one (joins the caller's scope)."""
    if not item_ids:
        return {}
    async with engine.read():
        rows = await ReturnItemReason.select().output(load_json=True).where(ReturnItemReason.item.is_in(item_ids))
    return _by_item(rows)


_REASON = statements.columns(ReturnItemReason, "x")
_OF_ORDER = statements.Statement(
    f'SELECT {_REASON.select} FROM return_item_reasons x JOIN return_requests r ON r.id = x.request '
    'WHERE r."order" = ?')


def of_order_read(order_id: int) -> statements.Read:
    """What `for_order` reads (a page says so beforehand: `statements.prefetch`)."""
    return _OF_ORDER.read(order_id)


async def for_order(order_id: int) -> dict[int, ItemReason]:
    """`for_items` of every item of the order's returns, by one fixed statement (inside a read scope)."""
    return _by_item(_REASON.rows(await of_order_read(order_id).all()))


def _by_item(rows: list[dict[str, Any]]) -> dict[int, ItemReason]:
    return {r["item"]: ItemReason(r["line_id"], r["reason"], r["comment"], int(r["fee_minor"]), bool(r["fee_waived"]),
                                  tuple(int(p) for p in (r["photos"] or []) if isinstance(p, int)))
            for r in rows}
