"""Error codes of the shipping area and what they say to a person (English msgids, translated when shown)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "shipment.not_found": "We couldn't find that shipment.",
}
