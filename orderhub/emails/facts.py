"""What a message needs to know about its order, read at send time from every area (orders,
shipping, pickup, returns), so that it says what is true now. It lives beside the renderer, above
the model layer: db/emails holds the mail outbox itself and reads no other area's queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from orderhub.db import engine
from orderhub.db.errors import NotFound
from orderhub.db.merchants.tables import Merchant
from orderhub.db.orders import queries
from orderhub.db.orders.queries import BrandView, OrderView
from orderhub.db.pickup.queries import PickupView
from orderhub.db.pickup.queries import for_order as pickup_for_order
from orderhub.db.returns.claims import ClaimView, claim_for_order
from orderhub.db.returns.queries import Destination, ReturnView, destination, return_for_order
from orderhub.db.shipping.queries import order_tracking
from orderhub.db.shipping.rules import Promise
from orderhub.db.shipping.tables import Shipment
from orderhub.db.tokens import hub_token


@dataclass(frozen=True)
class ParcelFacts:
    """The shipment a message is about (its latest state)."""

    external_id: str
    carrier: str
    tracking_number: str
    status: str
    substatus: str
    estimate: dt.date | None

    @classmethod
    def of(cls, row: dict) -> ParcelFacts:
        return cls(row["external_id"], row["carrier"] or "", row["tracking_number"] or "", row["status"] or "",
                   row["substatus"] or "", row["estimate"])


@dataclass(frozen=True)
class MessageFacts:
    """What a message needs to know about its order (read at send time, so it says what is true now)."""

    merchant: Merchant
    brand: BrandView
    order: OrderView
    email: str
    country: str
    hub_token: str
    pickup: PickupView | None
    shipment: ParcelFacts | None
    return_request: ReturnView | None
    #: the delivery promise of the order and of the message's shipment, as the hub shows them now
    promise: Promise | None = None
    shipment_promise: Promise | None = None
    #: where the return's items go and by when (None without a return)
    return_destination: Destination | None = None
    #: the order's current delivery address in full (the shopper's own mailbox reads it)
    address: dict[str, Any] | None = None
    #: the claim a message is about (None without one)
    claim: ClaimView | None = None


async def facts(order_id: int, token_key: bytes, *, shipment_id: str = "", return_id: int | None = None,
                claim_id: int | None = None, shipments: bool = True, pickup: bool = True,
                now: dt.datetime | None = None) -> MessageFacts | None:
    """Everything one message needs; `shipments` / `pickup` False skip what the message does not show.
    With `now`, the delivery promises (db/shipping/rules: the same the hub shows at that moment)."""
    async with engine.read():
        row = await queries.order_row_by_id(order_id)
        if row is None:
            return None
        merchant = await queries.merchant_now(row["merchant"])
        view = await queries.view_of(row, merchant)
        ships = await Shipment.select().output(load_json=True).where(Shipment.order == order_id).order_by(
            Shipment.id) if shipments else []
        shipment = next((s for s in ships if s["external_id"] == shipment_id), ships[-1] if ships else None)
        pickup_view = await pickup_for_order(order_id) if pickup and view.is_pickup else None
        try:
            found = await return_for_order(order_id, return_id) if return_id else None
        except NotFound:
            found = None
        place = await destination(found) if found else None
        try:
            claim = await claim_for_order(order_id, claim_id) if claim_id else None
        except NotFound:
            claim = None
    promise = shipment_promise = None
    if now is not None and view.ships:
        tracking = await order_tracking(merchant, view, now)
        promise = tracking.promise
        shipment_promise = tracking.promise_of(shipment["external_id"]) if shipment else None
    return MessageFacts(
        promise=promise, shipment_promise=shipment_promise,
        merchant=merchant, brand=BrandView.of(merchant), order=view,
        email=row["customer_email"], country=(cast(dict[str, Any], row["shipping_address"] or {}).get("country") or "").upper(),
        hub_token=hub_token(token_key, row["key"], row["token_generation"]), pickup=pickup_view,
        shipment=ParcelFacts.of(shipment) if shipment else None, return_request=found,
        return_destination=place, claim=claim,
        address=cast("dict[str, Any] | None", row["shipping_address"]),
    )


# --- the preview (admin and command line) ----------------------------------------------------------
