"""Integration API for store pickup (docs/api.md): the storefront or POS sets preparing / ready / cancelled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, put
from litestar.di import Provide

from orderhub.db.merchants.tables import Merchant
from orderhub.db.pickup import services
from orderhub.db.pickup.queries import PickupView
from orderhub.site import live
from orderhub.site.api.auth import api_merchant, json_body


class PickupApi(Controller):
    path = "/api/v1"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["pickup"]

    @put("/orders/{external_id:str}/pickup", summary="Set a pickup order's state", status_code=200)
    async def put_pickup(self, request: Request, merchant: Merchant, external_id: str,
                         now: dt.datetime) -> dict[str, Any]:
        pickup = await services.merchant_update(merchant.id, external_id, await json_body(request), now=now)
        await announce(request, pickup)
        return answer(pickup)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def answer(pickup: PickupView) -> dict[str, Any]:
    """The API's answer for a pickup (docs/api.md)."""
    return {"status": pickup.state, "ready_at": _iso(pickup.ready_at), "pickup_deadline": _iso(pickup.deadline),
            "store": pickup.store_code, "picked_up_at": _iso(pickup.picked_up_at)}


async def announce(request: Request, pickup: PickupView) -> None:
    """After the commit: the shopper's page and the store's staff console refresh."""
    await live.publish(request, live.topic("pickup", pickup.order_id), "final" if pickup.is_final else "update")
    await live.publish(request, store_topic(pickup.merchant_id, pickup.store_code))


def store_topic(merchant_id: int, store_code: str) -> str:
    return live.topic("store", f"{merchant_id}.{store_code}")
