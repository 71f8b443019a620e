"""What other sections tell the hub's front page (shipment statuses, pickup state, the survey card).

Declared once, explicitly: each provider is an async function of the Hub returning a dict; the
confirmation page merges them in this order. Providers run inside the request's read scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from orderhub.db.orders.queries import Hub
from orderhub.site.cancel.routes import cancel_summary
from orderhub.site.changes.routes import delivery_summary
from orderhub.site.feedback.routes import feedback_summary
from orderhub.site.pickup.routes import pickup_summary
from orderhub.site.returns.routes import refunds_summary
from orderhub.site.tracking.routes import shipments_summary

Provider = Callable[[Hub], Awaitable[dict]]
PROVIDERS: tuple[Provider, ...] = (shipments_summary, pickup_summary, feedback_summary, refunds_summary,
                                   cancel_summary, delivery_summary)


async def hub_summary(hub: Hub) -> dict:
    merged: dict = {}
    for provider in PROVIDERS:
        merged.update(await provider(hub))
    return merged
