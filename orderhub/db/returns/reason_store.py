"""Each returned item's reason, stored and read back (reason_tables.ReturnItemReason). A return made
before per-item reasons has no rows: every item takes the return's one reason."""

from __future__ import annotations

from orderhub.db import engine
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
    return {r["item"]: ItemReason(r["line_id"], r["reason"], r["comment"], int(r["fee_minor"]), bool(r["fee_waived"]),
                                  tuple(int(p) for p in (r["photos"] or []) if isinstance(p, int)))
            for r in rows}
