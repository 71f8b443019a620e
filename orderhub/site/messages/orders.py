"""Error codes of the orders area (and the hub's common pages) and what they say to a person
(English msgids, translated when shown)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # anything that finds nothing (NotFound's default code), and every link that opens no hub
    "not_found": "This link doesn't open an order. It may have expired or been replaced by a newer one.",
    "order.not_found": "We couldn't find that order.",
}
