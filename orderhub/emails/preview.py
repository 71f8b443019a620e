"""Preview any message for any order (command line and admin): the event's payload is made from
the order's current state (its latest shipment, its latest return), then rendered as it would go out."""

from __future__ import annotations

import base64
import datetime as dt
import email.message

from orderhub.db import engine
from orderhub.db.emails import rules
from orderhub.db.returns.tables import ReturnRequest
from orderhub.db.shipping.tables import Shipment
from orderhub.emails.render import Rendered, as_message, from_address, render
from orderhub.settings import Settings


async def sample_payload(order_id: int, event: str) -> dict:
    async with engine.read():
        if event.startswith("shipment."):
            ship = await Shipment.select().where(Shipment.order == order_id).order_by(Shipment.id, ascending=False).first()
            if ship:
                return {"shipment_id": ship["external_id"], "carrier": ship["carrier"],
                        "tracking_number": ship["tracking_number"], "status": ship["status"],
                        "substatus": ship["substatus"] or None,
                        "estimated_delivery": ship["estimate"].isoformat() if ship["estimate"] else None}
            return {"shipment_id": "preview", "carrier": "ups", "tracking_number": "1Z999AA10123456784",
                    "status": event.split(".", 1)[1], "substatus": None, "estimated_delivery": None}
        if event.startswith("return."):
            ret = await ReturnRequest.select(ReturnRequest.id, ReturnRequest.number).where(
                ReturnRequest.order == order_id).order_by(ReturnRequest.id, ascending=False).first()
            return {"return_id": ret["id"], "number": ret["number"]} if ret else {"number": "R-PREVIEW"}
    return {}


async def preview(order_id: int, event: str, locale: str, settings: Settings, *, now: dt.datetime) -> Rendered | None:
    if rules.spec_for(event) is None:
        raise ValueError(f"no message for {event!r}; one of: {', '.join(rules.EVENTS)}")
    spec = rules.EVENTS[event]
    return await render(spec.kind, event, await sample_payload(order_id, event), order_id, locale, settings, now=now)


def preview_message(rendered: Rendered, settings: Settings, merchant_name: str, to: str,
                    now: dt.datetime) -> email.message.EmailMessage:
    sender = from_address(settings)
    return as_message(rendered, to=to, sender_name=merchant_name, from_addr=sender,
                      message_id=rules.message_id_header("preview", sender), now=now)


def html_for_browser(rendered: Rendered) -> str:
    """The HTML part with its inline images as data: URIs, so that a browser shows it as a mail client would."""

    html = rendered.html
    for cid, png in rendered.images:
        html = html.replace(f'src="cid:{cid}"', f'src="data:image/png;base64,{base64.b64encode(png).decode()}"')
    return html
