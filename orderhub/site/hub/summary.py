"""What other sections tell the hub's front page (shipment statuses, pickup state, ...).

A section that has something to say registers an async provider taking the Hub and returning a
dict; the confirmation page merges them. Providers run inside the request's read scope.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from orderhub.db.orders.queries import Hub

Provider = Callable[[Hub], Awaitable[dict]]
PROVIDERS: list[Provider] = []


def provide(provider: Provider) -> Provider:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


async def hub_summary(hub: Hub) -> dict:
    merged: dict = {}
    for provider in PROVIDERS:
        merged.update(await provider(hub))
    return merged
