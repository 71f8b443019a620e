"""What other sections tell the hub's front page (shipment statuses, pickup state, the survey card).

Declared once, explicitly: each provider is an async function of the Hub returning a dict; the
confirmation page merges them in this order. Providers run inside the request's read scope. What
they read is declared beside them (`READS`, each area's `hub_reads`), and read with the hub itself:
on PostgreSQL the page's reads after the order's row are one round trip (`statements.prefetch`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from orderhub.db import statements
from orderhub.db.feedback import queries as feedback
from orderhub.db.orders import cancellation, changes
from orderhub.db.orders.queries import Hub
from orderhub.db.pickup import queries as pickup
from orderhub.db.returns import queries as returns
from orderhub.db.shipping import queries as shipping
from orderhub.site.cancel.routes import cancel_summary
from orderhub.site.changes.routes import delivery_summary
from orderhub.site.feedback.routes import feedback_summary
from orderhub.site.pickup.routes import pickup_summary
from orderhub.site.returns.routes import refunds_summary
from orderhub.site.tracking.routes import shipments_summary

Provider = Callable[[Hub], Awaitable[dict]]
PROVIDERS: tuple[Provider, ...] = (shipments_summary, pickup_summary, feedback_summary, refunds_summary,
                                   cancel_summary, delivery_summary)


#: what the providers read, from the order's row: every read a provider may make, whether or not it
#: will for this order (an unneeded one is an empty index probe inside the one round trip)
READS = (shipping.hub_reads, pickup.hub_reads, feedback.hub_reads, returns.hub_reads, cancellation.hub_reads,
         changes.hub_reads)


def summary_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The confirmation page's reads after the hub's own (`load_hub`'s `page_reads`)."""
    return [read for reads in READS for read in reads(order)]


async def hub_summary(hub: Hub) -> dict:
    merged: dict = {}
    for provider in PROVIDERS:
        merged.update(await provider(hub))
    return merged
