"""Integration API (docs/api.md): merchant settings, stores, products, orders and their links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide

from orderhub.db.branding import services as branding
from orderhub.db.engine import retry_on_race
from orderhub.db.errors import NotFound
from orderhub.db.merchants import services as merchants
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders import queries
from orderhub.db.orders import services as orders
from orderhub.site.api.auth import api_merchant, json_body
from orderhub.site.api.openapi import takes


def hub_links(base_url: str, token: str) -> dict[str, str]:
    hub = f"{base_url}/o/{token}"
    return {
        "hub": hub,
        "tracking": f"{hub}/tracking",
        "pickup": f"{hub}/pickup",
        "returns": f"{hub}/returns",
        "feedback": f"{hub}/feedback",
        "receipt": f"{hub}/receipt.pdf",
    }


class IntegrationApi(Controller):
    path = "/api/v1"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["integration"]

    @put("/merchant", summary="Replace the merchant's settings", operation_class=takes("merchant"))
    async def put_merchant(self, request: Request, merchant: Merchant) -> dict[str, Any]:
        return await branding.update_merchant_settings(merchant.id, await json_body(request))

    @put("/stores/{code:str}", summary="Create or update a store", status_code=200, operation_class=takes("store"))
    async def put_store(self, request: Request, merchant: Merchant, code: str,
                        now: dt.datetime) -> Response[dict[str, Any]]:
        created, store = await retry_on_race(merchants.upsert_store, merchant.id, code, await json_body(request), now=now)
        return Response(store, status_code=201 if created else 200)

    @put("/products/{product_id:str}", summary="Create or update a product", status_code=200,
         operation_class=takes("product"))
    async def put_product(self, request: Request, merchant: Merchant, product_id: str,
                          now: dt.datetime) -> Response[dict[str, Any]]:
        created, product = await retry_on_race(orders.upsert_product, merchant, product_id, await json_body(request),
                                               now=now)
        return Response(product, status_code=201 if created else 200)

    @put("/orders/{external_id:str}", summary="Create or update an order", status_code=200,
         operation_class=takes("order"))
    async def put_order(self, request: Request, merchant: Merchant, external_id: str,
                        now: dt.datetime) -> Response[dict[str, Any]]:
        state = request.app.state
        ref = await retry_on_race(orders.upsert_order, merchant, external_id, await json_body(request),
                                  token_key=state.token_key, now=now)
        body = {"id": str(ref.id), "number": ref.number, "hub_url": f"{state.settings.base_url}/o/{ref.token}"}
        return Response(body, status_code=201 if ref.created else 200)

    @get("/orders/{external_id:str}/links", summary="Absolute hub URLs for emails")
    async def links(self, request: Request, merchant: Merchant, external_id: str) -> dict[str, str]:
        link = await queries.order_link(merchant.id, external_id, request.app.state.token_key)
        if link is None:
            raise NotFound("order.not_found", "no such order", field="external_id")
        return hub_links(request.app.state.settings.base_url, link.token)

    @post("/orders/{external_id:str}/links/revoke", summary="Revoke the hub link; answers the new links",
          status_code=200)
    async def revoke_links(self, request: Request, merchant: Merchant, external_id: str) -> dict[str, str]:
        """The old link opens nothing from now on (the same 404 as any bad token); emails still waiting
        in the outbox are rendered when sent, so they carry the new link."""
        token = await orders.revoke_hub_token(merchant.id, external_id, token_key=request.app.state.token_key)
        return hub_links(request.app.state.settings.base_url, token)
