"""Error codes of the returns area and what they say to a person (English msgids, translated when shown)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {}
