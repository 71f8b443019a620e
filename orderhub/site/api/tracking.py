"""Integration API for tracking (docs/api.md): PUT a shipment, POST carrier events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide

from orderhub.db.engine import retry_on_race
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders import delays
from orderhub.db.returns import label_jobs
from orderhub.db.shipping import queries as shipping_queries
from orderhub.db.shipping import services
from orderhub.site import live
from orderhub.site.api.auth import api_merchant, json_body


async def announce(request: Request, orders: dict[int, bool]) -> None:
    """After the commit: every open tracking page of these orders refreshes (and stops once final)."""
    for order_id, final in orders.items():
        await live.publish(request, live.topic("order", order_id), "final" if final else "update")


class TrackingApi(Controller):
    path = "/api/v1"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["tracking"]

    @put("/orders/{external_id:str}/shipments/{shipment_id:str}", summary="Create or update a shipment",
         status_code=200)
    async def put_shipment(self, request: Request, merchant: Merchant, external_id: str,
                           shipment_id: str, now: dt.datetime) -> Response[dict[str, Any]]:
        created, shipment, order_id = await retry_on_race(services.upsert_shipment, merchant, external_id,
                                                          shipment_id, await json_body(request), now=now)
        await announce(request, {order_id: False})
        return Response(shipment, status_code=201 if created else 200)

    @post("/tracking-events", summary="Add carrier events to a shipment", status_code=202)
    async def post_events(self, request: Request, merchant: Merchant, now: dt.datetime) -> Response[dict[str, Any]]:
        result = await label_jobs.ingest_events(merchant.id, await json_body(request), source="api", now=now)
        await announce(request, result.orders)
        return Response(result.as_json(), status_code=202)

    @get("/shipments/attention", summary="Stalled or late shipments and anxious shoppers, for the merchant to act on")
    async def attention(self, merchant: Merchant, now: dt.datetime) -> dict[str, Any]:
        stalled = await shipping_queries.stalled_shipments(merchant.id, now)
        anxious = await shipping_queries.anxious_shoppers(merchant.id, now)
        late = [s for s in await shipping_queries.late_or_stalled(merchant.id, now) if s.late and not s.stalled]
        shipment = lambda s: {  # noqa: E731
            "order_number": s.order_number, "shipment_id": s.shipment_id, "carrier": s.carrier,
            "tracking_number": s.tracking_number, "status": s.status,
            "last_activity": s.last_activity.isoformat() if s.last_activity else None,
            "business_days_quiet": s.business_days_quiet, "late": s.late, "stalled": s.stalled,
            "promise": s.promise.as_json() if s.promise is not None else None,
        }
        unshipped = await delays.late_orders(now, merchant_id=merchant.id)
        return {
            "unshipped_late": [o.api() for o in unshipped],
            "stalled": [shipment(s) for s in stalled],
            "late": [shipment(s) for s in late],
            "anxious_shoppers": [
                {"order_number": a.order_number, "tracking_views_24h": a.views_24h, "stalled": a.stalled,
                 "late": a.late, "last_view": a.last_view.isoformat()}
                for a in anxious
            ],
        }
