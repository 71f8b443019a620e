"""The email sender: every few seconds, send what is due over SMTP; every few minutes, tell
shoppers whose parcel arrives tomorrow. Wiring only: rules and writes live in db/emails (the mail
outbox) and db/outbox (notify); the words come from the renderer beside this module."""

from __future__ import annotations

import logging

from orderhub.db import engine
from orderhub.db.clock import Clock
from orderhub.db.emails import queries, rules, services
from orderhub.db.emails.clients import SmtpSender
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.outbox.services import notify
from orderhub.db.outbox.tables import WebhookDelivery
from orderhub.db.schedule import Job
from orderhub.emails.render import build_message
from orderhub.settings import Settings

log = logging.getLogger("orderhub.emails")


async def send_due(settings: Settings, clock: Clock, *, sender=None, after_send=None) -> dict[str, int]:
    """One pass of the sender. Without ORDERHUB_SMTP_URL nothing is sent (messages wait)."""
    now = clock()
    await services.release_stuck(now)
    if not settings.smtp_url:
        return {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
    if not await services.due(now, 1):
        return {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}

    async def build(row: dict):
        return await build_message(row, settings, now=now)

    async with (sender or SmtpSender(rules.parse_smtp_url(settings.smtp_url))) as send:
        return await services.deliver_due(build, send, now=now, after_send=after_send)


async def arriving_tomorrow(settings: Settings, clock: Clock) -> int:
    """`shipment.arriving_tomorrow` through notify (emails and webhooks) for each parcel whose
    estimate is tomorrow in the shopper's time zone, once per shipment and estimate."""
    now = clock()
    told = 0
    for ship in await queries.shipments_arriving_soon(now):
        tz = rules.shopper_timezone((ship["address"] or {}).get("country"), ship["timezone"])
        if not rules.arriving_tomorrow(ship["estimate"], ship["status"], now, tz):
            continue
        payload = {"shipment_id": ship["external_id"], "carrier": ship["carrier"],
                   "tracking_number": ship["tracking_number"], "status": ship["status"],
                   "substatus": ship["substatus"] or None, "estimated_delivery": ship["estimate"].isoformat(),
                   "first_estimate": ship["first_estimate"].isoformat() if ship["first_estimate"] else None}
        key = rules.dedupe_key(ship["merchant"], ship["order"], "shipment.arriving_tomorrow", payload)
        async with engine.write():
            if await EmailMessage.exists().where(EmailMessage.key == key):
                continue
            earlier = await WebhookDelivery.select(WebhookDelivery.payload).where(
                (WebhookDelivery.order_id == ship["order"]) & (WebhookDelivery.event == "shipment.arriving_tomorrow")
            ).output(load_json=True)
            if any((d["payload"] or {}).get("shipment_id") == ship["external_id"]
                   and (d["payload"] or {}).get("estimated_delivery") == payload["estimated_delivery"] for d in earlier):
                continue
            await notify(ship["merchant"], "shipment.arriving_tomorrow", payload, order_id=ship["order"], now=now)
            told += 1
    return told


async def _send(settings: Settings, clock: Clock) -> None:
    await send_due(settings, clock)


JOBS: tuple[Job, ...] = (
    Job("transactional emails", 5.0, _send),
    Job("arriving tomorrow emails", 600.0, arriving_tomorrow),
)
