"""Pages of a list: which items, which page of how many (the admin's lists and the API's
`?page=&per_page=`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

PER_PAGE = 25
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    pages: int
    total: int
    per_page: int = PER_PAGE

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def pages_for(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, math.ceil(total / per_page))


def clamp_page(page: int, total: int, per_page: int = PER_PAGE) -> int:
    return min(max(1, page), pages_for(total, per_page))


def paginate(items: Sequence[T], page: int, per_page: int = PER_PAGE) -> Page[T]:
    """A page of a list already in memory (the attention lists are computed whole)."""
    page = clamp_page(page, len(items), per_page)
    start = (page - 1) * per_page
    return Page(items[start:start + per_page], page, pages_for(len(items), per_page), len(items), per_page)
