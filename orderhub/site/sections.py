"""The hub's sections, in navigation order. A section appears in the hub's navigation when it is
built and applies to the order; nothing here is a placeholder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from orderhub.db.orders.queries import OrderView


@dataclass(frozen=True)
class Section:
    key: str
    #: English msgid of the navigation label (translated when rendered)
    label: str
    #: path below /o/{token}; "" is the confirmation page
    path: str
    applies: Callable[[OrderView], bool] = lambda order: True


SECTIONS: list[Section] = [
    Section("confirmation", "Order", ""),
]


def register(section: Section) -> None:
    """Called by a section's routes module when it is imported by the app factory."""
    if all(s.key != section.key for s in SECTIONS):
        SECTIONS.append(section)


def visible(order: OrderView) -> list[Section]:
    return [s for s in SECTIONS if s.applies(order)]
