"""Integration API for tracking (CONTRACT.md): PUT a shipment, POST carrier events."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post, put
from litestar.di import Provide

from orderhub.db.engine import retry_on_race
from orderhub.db.merchants.tables import Merchant
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
                           shipment_id: str) -> Response[dict[str, Any]]:
        now = request.app.state.clock()
        created, shipment, order_id = await retry_on_race(services.upsert_shipment, merchant, external_id,
                                                          shipment_id, await json_body(request), now=now)
        await announce(request, {order_id: False})
        return Response(shipment, status_code=201 if created else 200)

    @post("/tracking-events", summary="Add carrier events to a shipment", status_code=202)
    async def post_events(self, request: Request, merchant: Merchant) -> Response[dict[str, Any]]:
        now = request.app.state.clock()
        result = await services.ingest_events(merchant.id, await json_body(request), source="api", now=now)
        await announce(request, result.orders)
        return Response(result.as_json(), status_code=202)
