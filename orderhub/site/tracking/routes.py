"""The tracking section `/o/{token}/tracking`: one live timeline per shipment, and its SSE stream."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import ServerSentEvent, Template

from orderhub.components import promise as promise_words
from orderhub.components.i18n import ngettext
from orderhub.db import statements
from orderhub.db.orders.queries import Hub
from orderhub.db.shipping import queries
from orderhub.db.shipping.queries import ShipmentsSummary, TrackingPage
from orderhub.site import live
from orderhub.site.deps import PAGE_READS, read_scope
from orderhub.site.hub.context import hub_context
from orderhub.site.hub.notify import panel_context, panel_reads
from orderhub.site.pagecache import page_cache
from orderhub.site.rendering import page, wants_partial
from orderhub.site.tracking import presenter

TEMPLATE = "site/tracking/tracking.html.jinja"


def summary_text(tracking: TrackingPage | ShipmentsSummary) -> str:
    """"2 of 3 items delivered" (or shipped), or nothing before the first shipment."""
    total, delivered, shipped = tracking.total_items, tracking.delivered_items, tracking.shipped_items
    if not tracking.shipments:
        return ""
    if total and delivered >= total:
        return ngettext("%(num)s item delivered", "All %(num)s items delivered", total)
    if delivered:
        return ngettext("%(done)s of %(num)s item delivered", "%(done)s of %(num)s items delivered", total,
                        done=delivered)
    if total and shipped >= total:
        return ngettext("%(num)s item shipped", "All %(num)s items shipped", total)
    if shipped:
        return ngettext("%(done)s of %(num)s item shipped", "%(done)s of %(num)s items shipped", total, done=shipped)
    return ""


async def shipments_summary(hub: Hub) -> dict:
    """For the confirmation page: each shipment's status, "2 of 3 items delivered" and the order's
    delivery promise (the same one the tracking section shows)."""
    if not hub.order.ships:
        return {}
    now = hub.extras["now"]
    tracking = await queries.shipments_summary(hub.order.id, hub.order.item_count, now=now,
                                               tz=hub.order.timezone, basis=queries.basis_for(hub.merchant, hub.order, now))
    return {
        "shipment_statuses": [s.status for s in tracking.shipments],
        "shipments_summary": summary_text(tracking),
        "promise": tracking.promise,
    }


def page_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The tracking page's reads after the hub's own (the shipments, their events and lines; the panel)."""
    return [*queries.tracking_reads(order), *panel_reads(order)]


class TrackingController(Controller):
    path = "/o/{token:str}/tracking"

    @get("/", name="tracking", middleware=[page_cache("tracking"), read_scope], opt={PAGE_READS: page_reads})
    async def tracking(self, request: Request, hub: Hub, now: dt.datetime) -> Template:
        if not hub.order.ships:
            raise NotFoundException()
        tracking = await queries.order_tracking(hub.merchant, hub.order, now)
        partial = wants_partial(request)
        base = f"/o/{hub.token}/tracking"
        context = hub_context(
            request, hub, "tracking", tracking=tracking, p=presenter, w=promise_words, tz=hub.order.timezone,
            summary_text=summary_text(tracking), live=not tracking.all_final,
            region_url=base + "?" + request.url.query if request.url.query else base,
            events_url=f"{base}/events", **await panel_context(hub, "tracking"),
        )
        status = live.STOP_POLLING if partial and tracking.all_final else 200
        return page(request, TEMPLATE, "shipments", context, status_code=status)

    @get("/events", name="tracking-events")
    async def events(self, request: Request, hub: Hub) -> ServerSentEvent:
        return live.sse_response(request, [live.topic("order", hub.order.id)])
