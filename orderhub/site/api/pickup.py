"""Integration API for store pickup (docs/api.md): the storefront or POS sets preparing / ready / cancelled."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, put
from litestar.di import Provide

from orderhub.db.merchants.tables import Merchant
from orderhub.db.pickup import services
from orderhub.site import live
from orderhub.site.api.auth import api_merchant, json_body


class PickupApi(Controller):
    path = "/api/v1"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["pickup"]

    @put("/orders/{external_id:str}/pickup", summary="Set a pickup order's state", status_code=200)
    async def put_pickup(self, request: Request, merchant: Merchant, external_id: str) -> dict[str, Any]:
        result = await services.merchant_update(merchant.id, external_id, await json_body(request),
                                                now=request.app.state.clock())
        order_id = result.pop("order_id")
        await announce(request, merchant.id, result["store"], order_id, result["status"])
        return result


async def announce(request: Request, merchant_id: int, store_code: str, order_id: int, state: str) -> None:
    """After the commit: the shopper's page and the store's staff console refresh."""
    final = state in ("picked_up", "cancelled", "expired")
    await live.publish(request, live.topic("pickup", order_id), "final" if final else "update")
    await live.publish(request, store_topic(merchant_id, store_code))


def store_topic(merchant_id: int, store_code: str) -> str:
    return live.topic("store", f"{merchant_id}.{store_code}")
