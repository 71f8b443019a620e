"""Japanese for 着払い tracking numbers, returned items by reason and the return events' short texts
(python tools/write_po.py slips tools/slips_ja.py)."""

JA = {
    # the dashboard: each returned item's own reason, weighted by quantity
    "Returned items by reason": "理由別の返品商品数",
    "Returned items": "返品商品数",
}
