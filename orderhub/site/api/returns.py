"""Integration API for returns (docs/api.md): the merchant's return requests and their moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide

from orderhub.db.errors import ValidationFailed
from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns import dropoff, exchanges, home_pickup, queries, rules, services, slip_numbers
from orderhub.db.returns.rules import field_error
from orderhub.site.api.auth import api_merchant, json_body
from orderhub.site.api.openapi import takes
from orderhub.site.api.paging import page_param, paged, per_page_param

MAX_NOTE = 1000
#: returns and claims per page of the API's lists unless ?per_page= says otherwise
PER_PAGE = 20


async def _body(request: Request) -> dict:
    raw = await request.body()
    if not raw.strip():
        return {}
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ValidationFailed([field_error("body", rules.NOT_AN_OBJECT)])
    return body


def _text(body: dict, name: str, limit: int) -> str:
    value = body.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed([field_error(name, rules.NOT_TEXT)])
    if len(value) > limit:
        raise ValidationFailed([field_error(name, rules.TEXT_TOO_LONG, limit=limit)])
    return value.strip()


async def _note(request: Request) -> str:
    return _text(await _body(request), "note", MAX_NOTE)


def image_response(data: bytes, content_type: str) -> Response:
    """A stored (re-encoded) picture: its own content type, never sniffed, never cached publicly."""
    return Response(data, media_type=content_type, headers={
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300",
        "Content-Security-Policy": "default-src 'none'; sandbox", "Content-Disposition": "inline"})


class ReturnsApi(Controller):
    path = "/api/v1"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["returns"]

    @get("/returns", summary="The merchant's return requests, oldest first (?status=&page=&per_page=)")
    async def list_returns(self, merchant: Merchant, status: str | None = None, page: str | None = None,
                           per_page: str | None = None) -> dict[str, Any]:
        if status is not None and status not in rules.STATUSES:
            raise ValidationFailed([field_error("status", rules.NOT_A_CHOICE, choices=", ".join(rules.STATUSES))])
        listing = await queries.returns_page(merchant.id, status, page_param(page),
                                             per_page_param(per_page, PER_PAGE))
        return paged("returns", listing, [v.api() for v in listing.items])

    @get("/returns/{return_id:int}",
         summary="One return request: items with reasons and grades, photo URLs, label, timeline, pickup_booking")
    async def get_return(self, merchant: Merchant, return_id: int, now: dt.datetime) -> dict[str, Any]:
        view = await queries.return_for_merchant(merchant.id, return_id)
        place = await queries.destination(view)
        places = await dropoff.for_order(view.order_id, view.method, now=now) if place.send_by else None
        booking = (await home_pickup.bookings([view.id])).get(view.id)
        return {**view.api(),
                "send_by": None if place.send_by is None else {
                    "date": place.send_by_day.isoformat() if place.send_by_day else None,
                    "deadline": place.send_by.isoformat(), "timezone": place.timezone},
                "drop_off_points": places.api() if places is not None else [],
                "pickup_booking": booking.api() if booking else None}

    async def _move(self, request: Request, merchant: Merchant, return_id: int, action: str,
                    now: dt.datetime) -> dict[str, Any]:
        note = await _note(request)
        view = await services.transition(merchant.id, return_id, action, note=note, now=now)
        return view.api()

    @post("/returns/{return_id:int}/approve", summary="Approve a return request", status_code=200)
    async def approve(self, request: Request, merchant: Merchant, return_id: int,
                      now: dt.datetime) -> dict[str, Any]:
        return await self._move(request, merchant, return_id, "approve", now)

    @post("/returns/{return_id:int}/reject", summary="Reject a return request", status_code=200)
    async def reject(self, request: Request, merchant: Merchant, return_id: int,
                      now: dt.datetime) -> dict[str, Any]:
        return await self._move(request, merchant, return_id, "reject", now)

    @post("/returns/{return_id:int}/receive", summary="Record that the items arrived", status_code=200)
    async def receive(self, request: Request, merchant: Merchant, return_id: int,
                      now: dt.datetime) -> dict[str, Any]:
        return await self._move(request, merchant, return_id, "receive", now)

    @post("/returns/{return_id:int}/refund", summary="Refund (or credit) a received return", status_code=200)
    async def refund(self, request: Request, merchant: Merchant, return_id: int,
                      now: dt.datetime) -> dict[str, Any]:
        return await self._move(request, merchant, return_id, "refund", now)

    @post("/returns/{return_id:int}/in-transit", summary="The item is on its way back (optional carrier and tracking)",
          status_code=200)
    async def in_transit(self, request: Request, merchant: Merchant, return_id: int,
                         now: dt.datetime) -> dict[str, Any]:
        body = await _body(request)
        note = _text(body, "note", MAX_NOTE)
        extra = {"carrier": _text(body, "carrier", 64), "tracking_number": _text(body, "tracking_number", 100)}
        view = await services.transition(merchant.id, return_id, "ship", note=note, now=now,
                                         extra={k: v for k, v in extra.items() if v})
        return view.api()

    @post("/returns/{return_id:int}/exchange",
          summary="Send the replacement of a received exchange (optional carrier and tracking of its parcel)",
          status_code=200)
    async def exchange(self, request: Request, merchant: Merchant, return_id: int,
                      now: dt.datetime) -> dict[str, Any]:
        body = await _body(request)
        shipment = {"carrier": _text(body, "carrier", 64), "tracking_number": _text(body, "tracking_number", 100)}
        view = await services.transition(merchant.id, return_id, "exchange", note=_text(body, "note", MAX_NOTE),
                                         now=now, shipment=shipment)
        return view.api()

    @put("/returns/{return_id:int}/exchange", operation_class=takes("exchange_payment"),
         summary="The storefront's answer to exchange.created: the difference's payment URL (https) or paid")
    async def exchange_payment(self, request: Request, merchant: Merchant, return_id: int,
                               now: dt.datetime) -> dict[str, Any]:
        await exchanges.set_payment(merchant.id, return_id, await json_body(request), now=now)
        return (await queries.return_for_merchant(merchant.id, return_id)).api()

    @put("/returns/{return_id:int}/label/tracking-number", operation_class=takes("slip_tracking_number"),
         summary="The 着払い slip's tracking number (送り状番号): carrier events on it then move the return")
    async def slip_tracking_number(self, request: Request, merchant: Merchant, return_id: int,
                                   now: dt.datetime) -> dict[str, Any]:
        body = await _body(request)
        await slip_numbers.set_number(merchant.id, return_id, body.get("tracking_number"), now=now)
        return (await queries.return_for_merchant(merchant.id, return_id)).api()

    @post("/returns/scan", summary="A drop-off or in-store return scanned at the counter (its QR code)",
          status_code=200)
    async def scan(self, request: Request, merchant: Merchant, now: dt.datetime) -> dict[str, Any]:
        body = await _body(request)
        code = _text(body, "code", 200)
        if not code:
            raise ValidationFailed([field_error("code", rules.REQUIRED)])
        view = await services.ship_by_code(merchant.id, code, store_code=_text(body, "store_code", 64),
                                           note=_text(body, "note", MAX_NOTE), now=now)
        return view.api()

    @get("/returns/{return_id:int}/photos/{photo_id:int}", summary="A photo the shopper attached")
    async def photo(self, merchant: Merchant, return_id: int, photo_id: int) -> Response:
        data, content_type = await queries.photo_for_merchant(merchant.id, return_id, photo_id)
        return image_response(data, content_type)
