"""An address (the stored dict) as the lines printed on a page, an email or a PDF: Japanese order
for a Japanese address, Western order otherwise. Pure; no database, no HTTP."""

from __future__ import annotations

from typing import Any


def address_lines(address: dict[str, Any] | None) -> list[str]:
    if not address:
        return []
    a = address
    if (a.get("country") or "").upper() == "JP":
        first = " ".join(x for x in ("〒" + a["postal_code"] if a.get("postal_code") else "",) if x)
        rest = "".join(a.get(k, "") or "" for k in ("region", "city", "line1"))
        return [x for x in (first, rest, a.get("line2", "")) if x]
    city = ", ".join(
        x for x in (a.get("city", ""), " ".join(x for x in (a.get("region", ""), a.get("postal_code", "")) if x)) if x
    )
    return [x for x in (a.get("line1", ""), a.get("line2", ""), city, a.get("country", "")) if x]
