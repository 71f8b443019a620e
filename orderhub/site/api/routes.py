"""Integration API (docs/api.md): merchant settings, stores, products, orders and their links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide

from orderhub import money
from orderhub.components.urls import lookup_url
from orderhub.db.branding import services as branding
from orderhub.db.engine import retry_on_race
from orderhub.db.errors import NotFound
from orderhub.db.merchants import services as merchants
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders import cancellation, changes, queries
from orderhub.db.orders import rules as order_rules
from orderhub.db.orders import services as orders
from orderhub.db.orders.queries import OrderView
from orderhub.db.payments.queries import PaymentView
from orderhub.db.pickup import queries as pickup_queries
from orderhub.db.shipping import queries as shipping_queries
from orderhub.db.shipping.queries import TrackingPage
from orderhub.db.shipping.rules import Promise
from orderhub.site.api.auth import api_merchant, json_body
from orderhub.site.api.openapi import takes


def hub_links(base_url: str, token: str, merchant_slug: str) -> dict[str, str]:
    """Absolute URLs for the merchant's emails; `lookup`: its branded lookup, for a link that won't open."""
    hub = f"{base_url}/o/{token}"
    return {
        "hub": hub,
        "tracking": f"{hub}/tracking",
        "pickup": f"{hub}/pickup",
        "returns": f"{hub}/returns",
        "feedback": f"{hub}/feedback",
        "receipt": f"{hub}/receipt.pdf",
        "lookup": lookup_url(base_url, merchant_slug),
    }


def _promise(promise: Promise | None) -> dict[str, Any] | None:
    return promise.as_json() if promise is not None else None


def order_json(order: OrderView, tracking: TrackingPage | None, pickup_state: str | None,
               latest_cancellation: dict[str, Any] | None = None) -> dict[str, Any]:
    """GET /api/v1/orders/{external_id}: the status, totals and promise the hub, tracking and emails state."""
    status = order_rules.order_status(
        cancelled=order.cancelled, fulfillment_type=order.fulfillment_type, fulfillment_status=order.fulfillment_status,
        shipment_statuses=[s.status for s in tracking.shipments] if tracking else [], pickup_state=pickup_state,
        awaiting_payment=order.awaiting_payment)
    amounts = {"subtotal": order.subtotal_minor, "discount": order.discount_minor, "shipping": order.shipping_minor,
               "tax": order.tax_minor, "total": order.total_minor}
    return {
        "id": str(order.id), "external_id": order.external_id, "number": order.number,
        "fulfillment_type": order.fulfillment_type, "fulfillment_status": order.fulfillment_status,
        "cancelled": order.cancelled, "status": status.key, "currency": order.currency,
        "totals": {name: money.to_string(minor, order.currency) for name, minor in amounts.items()},
        "payment": PaymentView.of_row(order).as_json(),
        "promise": _promise(tracking.promise if tracking else None),
        "lines": [
            {"id": ln.line_id, "quantity": ln.quantity, "cancelled_quantity": ln.cancelled_quantity,
             "backordered": ln.backorder.quantity if ln.backorder else 0,
             "expected_ship_date": ln.backorder.expected_ship_date.isoformat()
             if ln.backorder and ln.backorder.expected_ship_date else None}
            for ln in order.lines
        ],
        "shipments": [
            {"id": s.external_id, "carrier": s.carrier, "tracking_number": s.tracking_number, "status": s.status,
             "substatus": s.substatus or None, "estimated_delivery": s.estimate.isoformat() if s.estimate else None,
             "delivered_at": s.delivered_at.isoformat() if s.delivered_at else None, "promise": _promise(s.promise)}
            for s in (tracking.shipments if tracking else [])
        ],
        "cancellation": latest_cancellation,
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

    @get("/orders/{external_id:str}", summary="An order's state and delivery promise, with its shipments'")
    async def get_order(self, merchant: Merchant, external_id: str, now: dt.datetime) -> dict[str, Any]:
        order = await queries.order_view(merchant, external_id) if 0 < len(external_id) <= 200 else None
        if order is None:
            raise NotFound("order.not_found", "no such order", field="external_id")
        tracking = await shipping_queries.order_tracking(merchant, order, now) if order.ships else None
        pickup = await pickup_queries.for_order(order.id) if order.is_pickup else None
        facts = await cancellation.cancel_facts(order.id)
        answer = order_json(order, tracking, pickup.state if pickup else None,
                            cancellation.cancellation_json(facts.latest, order.currency))
        if order.ships:  # the current address, delivery window and safe place, and changes waiting for an answer
            answer.update(await changes.api_view(order.id))
        return answer

    @post("/orders/{external_id:str}/cancellation", summary="Accept or refuse the shopper's cancellation request",
          status_code=200, operation_class=takes("cancellation_decision"))
    async def decide_cancellation(self, request: Request, merchant: Merchant, external_id: str,
                                  now: dt.datetime) -> dict[str, Any]:
        """409 when no request is waiting; `refund` overrides the computed amount when accepting."""
        facts, view = await cancellation.decide(merchant.id, external_id, await json_body(request), now=now)
        return {"order_id": external_id, "cancellation": cancellation.cancellation_json(view, facts.currency)}

    @post("/orders/{external_id:str}/changes/{change_id:str}", summary="Accept or refuse a shopper's delivery change",
          status_code=200, operation_class=takes("change_decision"))
    async def decide_change(self, request: Request, merchant: Merchant, external_id: str, change_id: str,
                            now: dt.datetime) -> dict[str, Any]:
        """`{"decision": "accept"|"refuse", "note"?}`: 200 with the change; 409 when it is not pending (a
        replayed decision) or the order has shipped meanwhile; 404 for another merchant's change."""
        change = await changes.decide(merchant.id, external_id, change_id, await json_body(request), now=now)
        return change.as_json()

    @get("/orders/{external_id:str}/links", summary="Absolute hub URLs for emails")
    async def links(self, request: Request, merchant: Merchant, external_id: str) -> dict[str, str]:
        link = await queries.order_link(merchant.id, external_id, request.app.state.token_key)
        if link is None:
            raise NotFound("order.not_found", "no such order", field="external_id")
        return hub_links(request.app.state.settings.base_url, link.token, merchant.slug)

    @post("/orders/{external_id:str}/links/revoke", summary="Revoke the hub link; answers the new links",
          status_code=200)
    async def revoke_links(self, request: Request, merchant: Merchant, external_id: str,
                           now: dt.datetime) -> dict[str, str]:
        """The old link opens nothing from now on (the same 404 as any bad token); emails still waiting
        in the outbox are rendered when sent, so they carry the new link."""
        token = await orders.revoke_hub_token(merchant.id, external_id, token_key=request.app.state.token_key,
                                              now=now)
        return hub_links(request.app.state.settings.base_url, token, merchant.slug)
