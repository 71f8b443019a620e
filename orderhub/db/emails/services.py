"""Writes for the email outbox: `enqueue` (called by `outbox.services.notify` inside the caller's
transaction), the worker's claim / sent / failed steps, and the merchant's retry of a dead message.

A message is claimed (state `sending`, attempts + 1, a lease in `next_attempt_at`) and committed
BEFORE it is handed to the SMTP server; its sending is recorded after. A worker that dies between
the two leaves it `sending`: once the lease ends `release_stuck` makes it due again, and it goes
out once more with the same Message-ID, so the receiving side can recognise the repeat.
"""

from __future__ import annotations

import datetime as dt
import email.message
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from orderhub.db import engine
from orderhub.db import queue as outbox_claim
from orderhub.db.emails import queries, rules
from orderhub.db.emails.queries import EmailView, OutgoingEmail
from orderhub.db.emails.tables import EmailMessage
from orderhub.db.errors import Conflict, NotFound
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant, Store
from orderhub.db.orders.tables import Order

log = logging.getLogger("orderhub.emails")


async def enqueue(merchant_id: int, event: str, payload: dict[str, Any], *, order_id: int | None, now: dt.datetime) -> int | None:
    """Write the message an event calls for, in the caller's transaction: nothing for events no
    shopper hears about, for merchants who send their own emails (webhooks only), or for a state
    change already mailed. Quiet hours set when it may go out; throttling may suppress it."""
    spec = rules.spec_for(event)
    if spec is None or order_id is None:
        return None
    async with engine.write():
        merchant = await Merchant.select(Merchant.settings, Merchant.timezone, Merchant.locale).where(
            Merchant.id == merchant_id).output(load_json=True).first()
        if merchant is None:
            return None
        conf = rules.read_emails_settings((merchant["settings"] or {}).get("emails"))
        if not conf["send"]:
            return None
        order = await Order.select(Order.customer_email, Order.locale, Order.shipping_address, Order.fulfillment).where(
            (Order.id == order_id) & (Order.merchant == merchant_id)).output(load_json=True).first()
        if order is None:
            return None
        shipment = str((payload or {}).get("shipment_id") or "")[:100] if event.startswith("shipment.") else ""
        state = rules.PENDING if order["customer_email"] else rules.SKIPPED
        error = "" if order["customer_email"] else "the order has no email address"
        if state == rules.PENDING and spec.kind in rules.IN_TRANSIT_KINDS and shipment:
            since = now - dt.timedelta(hours=conf["transit_every_hours"])
            previous = await EmailMessage.select(EmailMessage.created_at).where(
                (EmailMessage.order_id == order_id) & (EmailMessage.shipment == shipment)
                & EmailMessage.kind.is_in(rules.IN_TRANSIT_KINDS)
                & EmailMessage.state.is_in(list(rules.WRITTEN)) & (EmailMessage.created_at > since))
            if rules.throttled(spec.kind, [p["created_at"] for p in previous], now, conf["transit_every_hours"]):
                state, error = rules.SUPPRESSED, f"another in-transit update within {conf['transit_every_hours']} h"
        country = (order["shipping_address"] or {}).get("country")
        local_zone = merchant["timezone"]
        store_code = (order["fulfillment"] or {}).get("store_code")
        if store_code and not country:  # a pickup: the shopper is near the store
            store = await Store.select(Store.timezone).where(Store.key == scoped(merchant_id, store_code)).first()
            local_zone = store["timezone"] if store else local_zone
        timezone = rules.shopper_timezone(country, local_zone)
        at = rules.send_at(now, timezone, conf["quiet_start"], conf["quiet_end"], urgent=spec.urgent)
        locale = (order["locale"] or merchant["locale"] or "en").split("-")[0].lower()
        row = EmailMessage(
            merchant=merchant_id, order_id=order_id, event=event, payload=payload or {}, kind=spec.kind,
            shipment=shipment, recipient=order["customer_email"], locale=locale if locale in ("ja", "en") else "en",
            message_id=uuid.uuid4().hex, key=rules.dedupe_key(merchant_id, order_id, event, payload or {}),
            state=state, attempts=0, next_attempt_at=at, last_error=error, created_at=now,
        )
        done = await EmailMessage.insert(row).on_conflict(target=EmailMessage.key, action="DO NOTHING").returning(
            EmailMessage.id)
    return done[0]["id"] if done else None


async def due(now: dt.datetime, limit: int = 100) -> list[int]:
    return await outbox_claim.due_ids(EmailMessage, now, limit)


async def claim(message_ids: list[int], now: dt.datetime) -> list[OutgoingEmail]:
    """Take due messages for sending, atomically (two workers never both get one; db/queue):
    state `sending`, one more attempt, and a lease that ends LEASE_SECONDS from now. -> the claimed
    rows, oldest first."""
    rows = await outbox_claim.claim_due(EmailMessage, now, len(message_ids), ids=message_ids,
                                        lease=dt.timedelta(seconds=rules.LEASE_SECONDS))
    return [OutgoingEmail.of(r) for r in rows]


async def keep_rendered(message_id: int, *, subject: str, html: str, text: str, locale: str,
                        now: dt.datetime) -> None:
    """Keep the message as rendered for sending on its row (the email log shows what was sent).
    A retry renders again and keeps its own rendering."""
    async with engine.write():
        await EmailMessage.update({
            EmailMessage.rendered_subject: subject, EmailMessage.rendered_html: html, EmailMessage.rendered_text: text,
            EmailMessage.rendered_locale: locale[:8], EmailMessage.rendered_at: now,
        }).where(EmailMessage.id == message_id)


async def mark_sent(message_id: int, now: dt.datetime) -> None:
    async with engine.write():
        await EmailMessage.update({EmailMessage.state: rules.SENT, EmailMessage.sent_at: now,
                                   EmailMessage.last_error: ""}).where(EmailMessage.id == message_id)


async def mark_failed(message_id: int, attempts: int, error: str, now: dt.datetime, *, permanent: bool = False) -> str:
    """Back off, or dead after MAX_ATTEMPTS (or at once for a permanent refusal). -> the new state."""
    retry_at = None if permanent else rules.next_attempt(attempts, now)
    state = rules.PENDING if retry_at else rules.DEAD
    async with engine.write():
        await EmailMessage.update({EmailMessage.state: state, EmailMessage.next_attempt_at: retry_at or now,
                                   EmailMessage.last_error: error[:1000]}).where(EmailMessage.id == message_id)
    return state


async def mark_skipped(message_id: int, reason: str) -> None:
    async with engine.write():
        await EmailMessage.update({EmailMessage.state: rules.SKIPPED, EmailMessage.last_error: reason[:1000]}).where(
            EmailMessage.id == message_id)


async def release_stuck(now: dt.datetime) -> int:
    """Messages whose worker died mid-send (lease over): due again, or dead when out of attempts."""
    return await outbox_claim.release_stuck(EmailMessage, now, max_attempts=rules.MAX_ATTEMPTS)


async def retry(merchant_id: int, message_id: int, *, now: dt.datetime) -> EmailView:
    """The merchant sends a dead (or suppressed, skipped) message again, now, with a fresh set of attempts."""
    async with engine.write():
        updated = await EmailMessage.update({
            EmailMessage.state: rules.PENDING, EmailMessage.next_attempt_at: now, EmailMessage.attempts: 0,
            EmailMessage.last_error: "",
        }).where(
            (EmailMessage.id == message_id) & (EmailMessage.merchant == merchant_id)
            & EmailMessage.state.is_in(list(rules.RETRYABLE))
            & (EmailMessage.recipient != "")
        ).returning(EmailMessage.id)
        if not updated:
            exists = await EmailMessage.exists().where(
                (EmailMessage.id == message_id) & (EmailMessage.merchant == merchant_id))
            if not exists:
                raise NotFound(rules.NOT_FOUND, "email not found")
            raise Conflict(rules.NOT_RETRYABLE, "only a dead, suppressed or skipped message can be sent again")
    view = await queries.message(merchant_id, message_id)
    assert view is not None  # just updated, in this merchant's outbox
    return view


class PermanentFailure(Exception):
    """The server refused the message for good (5xx on the recipient or the data): dead at once."""


Build = Callable[[OutgoingEmail], Awaitable["email.message.EmailMessage | None"]]
Send = Callable[["email.message.EmailMessage"], Awaitable[None]]
AfterSend = Callable[[OutgoingEmail], Awaitable[None]]


async def deliver_due(build: Build, send: Send, *, now: dt.datetime, limit: int = 100,
                      after_send: AfterSend | None = None) -> dict[str, int]:
    """Claim, build and send each due message once. `build(row)` renders it (None: nothing worth
    sending any more); `send(message)` hands it to SMTP and raises on failure."""
    counts = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
    ids = await due(now, limit)
    # claimed in small batches: a worker that dies holds at most a batch until the lease ends
    for start in range(0, len(ids), CLAIM_BATCH):
        for row in await claim(ids[start:start + CLAIM_BATCH], now):
            await _deliver_one(row, build, send, now, counts, after_send)
    return counts


CLAIM_BATCH = 20


async def _deliver_one(row: OutgoingEmail, build: Build, send: Send, now: dt.datetime, counts: dict[str, int],
                       after_send: AfterSend | None) -> None:
    if rules.stale(row.created_at, now):
        await mark_skipped(row.id, "not sent within 3 days; no longer worth sending")
        counts["skipped"] += 1
        return
    try:
        message = await build(row)
        if message is None:
            await mark_skipped(row.id, "the order is gone")
            counts["skipped"] += 1
            return
        await send(message)
    except PermanentFailure as exc:
        await mark_failed(row.id, row.attempts, str(exc), now, permanent=True)
        counts["dead"] += 1
        return
    except Exception as exc:  # the server, the network, or rendering: retry later
        log.warning("email %s not sent: %s", row.id, exc)
        state = await mark_failed(row.id, row.attempts, f"{type(exc).__name__}: {exc}", now)
        counts["retry" if state == rules.PENDING else "dead"] += 1
        return
    if after_send is not None:
        await after_send(row)
    await mark_sent(row.id, now)
    counts["sent"] += 1
