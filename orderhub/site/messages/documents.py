"""Error codes of the documents area (receipts, invoices, return slips) and what they say to a
person (English msgids, translated when shown)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "receipt.order_cancelled": "This order was cancelled, so there is no receipt for it.",
    "receipt.already_issued": "This receipt was already issued. Download it again to get a copy marked as reissued.",
}
