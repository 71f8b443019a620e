"""`?page=&per_page=` of the API's lists (reviews, returns, claims): read strictly, 422 otherwise; the
answer carries `page`, `pages` and `total` beside the items."""

from __future__ import annotations

from typing import Any

from orderhub.db.errors import ValidationFailed
from orderhub.db.validation import is_digits

MAX_PER_PAGE = 50


def page_param(raw: str | None) -> int:
    raw = (raw or "1").strip()
    if not is_digits(raw) or len(raw) > 6 or int(raw) < 1:
        raise ValidationFailed([{"field": "page", "message": "must be a whole number from 1"}])
    return int(raw)


def per_page_param(raw: str | None, default: int) -> int:
    raw = (raw or str(default)).strip()
    if not is_digits(raw) or len(raw) > 3 or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise ValidationFailed([{"field": "per_page", "message": f"must be a whole number from 1 to {MAX_PER_PAGE}"}])
    return int(raw)


def paged(name: str, listing: Any, items: list[Any]) -> dict[str, Any]:
    """{name: items, "page", "pages", "total"} of a worklists Page."""
    return {name: items, "page": listing.page, "pages": listing.pages, "total": listing.total}
