"""The 着払い slip's tracking number (送り状番号): the shopper (on the return page) or the merchant (admin,
API) enters the number on the carrier's receipt; it is stored on the return's label row, where carrier
events find it (`label_jobs.on_carrier_events`) and move the return to in transit and received like a
prepaid label's. Editable until the carrier's first event on it (`label_rules.slip_number_editable`).

A number already used by another return or by one of the merchant's shipments is refused, so a typed
number can never take over another parcel's events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orderhub.db import engine
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.returns import label_queries, label_rules
from orderhub.db.returns import rules as return_rules
from orderhub.db.returns.label_queries import LabelView
from orderhub.db.returns.label_tables import ReturnLabel
from orderhub.db.returns.tables import ReturnRequest
from orderhub.db.shipping import rules as shipping_rules
from orderhub.db.shipping.tables import Shipment

FIELD = label_rules.SLIP_NUMBER_FIELD
MESSAGES = {
    label_rules.SLIP_NUMBER_REQUIRED: "enter the tracking number from the carrier's receipt",
    label_rules.SLIP_NUMBER_FORMAT: "must be the 12 digits of the carrier's tracking number",
    label_rules.SLIP_NUMBER_CHECK: "the check digit does not match: a digit is wrong",
    label_rules.SLIP_NUMBER_TAKEN: "this tracking number belongs to another parcel",
}


def _invalid(code: str) -> ValidationFailed:
    return ValidationFailed([{"field": FIELD, "code": code, "message": MESSAGES[code]}])


async def _return(merchant_id: int, return_id: int, order_id: int | None) -> dict[str, Any]:
    where = (ReturnRequest.id == return_id) & (ReturnRequest.merchant == merchant_id)
    if order_id is not None:
        where &= ReturnRequest.order == order_id
    row = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.status).where(where).first()
    if row is None:
        raise NotFound(return_rules.RETURN_NOT_FOUND, "return not found")
    return row


async def _taken(merchant_id: int, return_id: int, carrier: str, number: str) -> bool:
    other = await ReturnLabel.exists().where(
        (ReturnLabel.merchant == merchant_id) & (ReturnLabel.tracking_number == number)
        & (ReturnLabel.request != return_id))
    return other or await Shipment.exists().where(
        Shipment.tracking_key == shipping_rules.tracking_key(merchant_id, carrier, number))


async def set_number(merchant_id: int, return_id: int, raw: object, *, now: dt.datetime,
                     order_id: int | None = None) -> LabelView:
    """Store the slip's tracking number (`raw` as typed). `order_id` scopes it to the shopper's order.
    NotFound: not this merchant's (or order's) return. Conflict: no 着払い slip, or the carrier already
    scanned the parcel. ValidationFailed: the number (field `tracking_number`)."""
    async with engine.write():
        ret = await _return(merchant_id, return_id, order_id)
        label = await ReturnLabel.select(ReturnLabel.id, ReturnLabel.provider, ReturnLabel.state,
                                         ReturnLabel.carrier, ReturnLabel.tracking_status).where(
            ReturnLabel.request == return_id).first()
        if label is None or label["provider"] != label_rules.JP_SLIP or label["state"] != label_rules.CREATED:
            raise Conflict(label_rules.SLIP_NUMBER_NOT_A_SLIP, "this return has no collect-on-delivery slip")
        if not label_rules.slip_number_editable(label["provider"], label["state"], label["tracking_status"],
                                                ret["status"]):
            raise Conflict(label_rules.SLIP_NUMBER_LOCKED, "the carrier has this parcel already: the number stays",
                           state=ret["status"])
        number, error = label_rules.read_slip_number(label["carrier"], raw)
        if error:
            raise _invalid(error)
        if await _taken(merchant_id, return_id, label["carrier"], number):
            raise _invalid(label_rules.SLIP_NUMBER_TAKEN)
        await ReturnLabel.update({ReturnLabel.tracking_number: number, ReturnLabel.updated_at: now}).where(
            (ReturnLabel.id == label["id"]) & (ReturnLabel.tracking_status == ""))
        if ret["status"] == return_rules.IN_TRANSIT:  # already marked sent: the return's parcel is this one
            await ReturnRequest.update({ReturnRequest.carrier: label["carrier"],
                                        ReturnRequest.tracking_number: number,
                                        ReturnRequest.updated_at: now}).where(ReturnRequest.id == return_id)
    view = await label_queries.label_for(return_id)
    assert view is not None
    return view
