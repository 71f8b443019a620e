"""Writes for the channels beside email: `enqueue_channels` (called by `outbox.services.notify` beside
the email's enqueue, in the caller's transaction), the sender's claim / sent / failed steps, the
merchant's "send again", channel accounts (credentials sealed by `vault`), and the shopper's links
and consents (LINE account link, SMS opt-in and withdrawal).

Interface for each channel: `RECIPIENTS[channel](merchant_id, order_id)` lists who hears about the
order on it; `SENDERS[channel](client, message, credentials)` sends one message (db/channels/rules:
`Sender`, `SendResult`). Both are explicit dicts: a new channel adds one entry to each.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from orderhub.db import engine
from orderhub.db import queue as outbox_claim
from orderhub.db.channels import clients, push, rules, vault
from orderhub.db.channels import line_bot_rules as bot_rules
from orderhub.db.channels.rules import ChannelMessage, Credentials, Sender, SendResult
from orderhub.db.channels.tables import ChannelAccount, ChannelConsent, ChannelOutboxMessage, ChannelRecipient
from orderhub.db.emails import rules as email_rules
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant, Store
from orderhub.db.orders.tables import Order

__all__ = ["RECIPIENTS", "SENDERS", "ChannelMessage", "Credentials", "Sender", "SendResult", "enqueue_channels"]

Recipients = Callable[[int, int], Awaitable[list[str]]]


async def linked(channel: str, merchant_id: int, order_id: int) -> list[str]:
    """The order's active recipient on `channel` (a linked LINE user, a consenting phone)."""
    rows = await ChannelRecipient.select(ChannelRecipient.recipient).where(
        (ChannelRecipient.key == rules.recipient_key(merchant_id, order_id, channel))
        & (ChannelRecipient.active == True) & (ChannelRecipient.recipient != ""))  # noqa: E712
    return [r["recipient"] for r in rows]


async def _line_recipients(merchant_id: int, order_id: int) -> list[str]:
    return await linked(rules.LINE, merchant_id, order_id)


async def _sms_recipients(merchant_id: int, order_id: int) -> list[str]:
    return await linked(rules.SMS, merchant_id, order_id)


#: who hears about an order on each channel (push adds its subscriptions)
RECIPIENTS: dict[str, Recipients] = {rules.LINE: _line_recipients, rules.SMS: _sms_recipients,
                                     rules.PUSH: push.recipients}
#: how each channel sends (push adds its Web Push sender)
SENDERS: dict[str, Sender] = {rules.LINE: clients.send_line, rules.SMS: clients.send_sms, rules.PUSH: push.send_channel}


async def enqueue_channels(merchant_id: int, event: str, payload: dict[str, Any], *, order_id: int | None,
                           now: dt.datetime) -> list[int]:
    """Write one message per enabled channel that carries `event` and per recipient of the order on
    it, in the caller's transaction. Email's rules decide when it may go out (quiet hours in the
    shopper's time zone unless urgent) and whether an in-transit update is held back. -> new ids."""
    spec = email_rules.spec_for(event)
    if spec is None or order_id is None:
        return []
    async with engine.write():
        accounts = await ChannelAccount.select(ChannelAccount.channel, ChannelAccount.events).where(
            (ChannelAccount.merchant == merchant_id) & (ChannelAccount.enabled == True)  # noqa: E712
        ).output(load_json=True)
        wanted = [a["channel"] for a in accounts if event in (a["events"] or []) and a["channel"] in RECIPIENTS]
        if not wanted:
            return []
        found = [(channel, r) for channel in wanted for r in await RECIPIENTS[channel](merchant_id, order_id)]
        if not found:
            return []
        merchant = await Merchant.select(Merchant.settings, Merchant.timezone, Merchant.locale).where(
            Merchant.id == merchant_id).output(load_json=True).first()
        order = await Order.select(Order.locale, Order.shipping_address, Order.fulfillment).where(
            (Order.id == order_id) & (Order.merchant == merchant_id)).output(load_json=True).first()
        if merchant is None or order is None:
            return []
        conf = email_rules.read_emails_settings((merchant["settings"] or {}).get("emails"))
        zone = merchant["timezone"]
        store_code = (order["fulfillment"] or {}).get("store_code")
        country = (order["shipping_address"] or {}).get("country")
        if store_code and not country:
            store = await Store.select(Store.timezone).where(Store.key == scoped(merchant_id, store_code)).first()
            zone = store["timezone"] if store else zone
        at = email_rules.send_at(now, email_rules.shopper_timezone(country, zone), conf["quiet_start"],
                                 conf["quiet_end"], urgent=spec.urgent)
        locale = (order["locale"] or merchant["locale"] or "en").split("-")[0].lower()
        shipment = str((payload or {}).get("shipment_id") or "")[:100] if event.startswith("shipment.") else ""
        ids: list[int] = []
        for channel, recipient in found:
            state, error = rules.PENDING, ""
            if spec.kind in email_rules.IN_TRANSIT_KINDS and shipment:
                since = now - dt.timedelta(hours=conf["transit_every_hours"])
                previous = await ChannelOutboxMessage.select(ChannelOutboxMessage.created_at).where(
                    (ChannelOutboxMessage.order_id == order_id) & (ChannelOutboxMessage.channel == channel)
                    & (ChannelOutboxMessage.shipment == shipment)
                    & ChannelOutboxMessage.kind.is_in(email_rules.IN_TRANSIT_KINDS)
                    & ChannelOutboxMessage.state.is_in(list(rules.WRITTEN))
                    & (ChannelOutboxMessage.created_at > since))
                if email_rules.throttled(spec.kind, [p["created_at"] for p in previous], now,
                                         conf["transit_every_hours"]):
                    state, error = rules.SUPPRESSED, f"another in-transit update within {conf['transit_every_hours']} h"
            row = ChannelOutboxMessage(
                merchant=merchant_id, order_id=order_id, channel=channel, event=event, payload=payload or {},
                kind=spec.kind, shipment=shipment, recipient=recipient,
                locale=locale if locale in ("ja", "en") else "en",
                key=rules.message_key(merchant_id, order_id, event, payload or {}, channel, recipient),
                state=state, attempts=0, next_attempt_at=at, last_error=error, created_at=now,
            )
            done = await ChannelOutboxMessage.insert(row).on_conflict(
                target=ChannelOutboxMessage.key, action="DO NOTHING").returning(ChannelOutboxMessage.id)
            ids += [d["id"] for d in done]
    return ids


# --- the sender's steps ------------------------------------------------------------------------------


async def due(now: dt.datetime, limit: int = 100) -> list[int]:
    return await outbox_claim.due_ids(ChannelOutboxMessage, now, limit)


async def claim(message_ids: list[int], now: dt.datetime) -> list[dict[str, Any]]:
    """Pending -> sending with one more attempt and a lease, atomically (db/queue): two
    workers never both get a message. -> the claimed rows, oldest due first."""
    return await outbox_claim.claim_due(ChannelOutboxMessage, now, len(message_ids), ids=message_ids,
                                        lease=dt.timedelta(seconds=rules.LEASE_SECONDS))


async def record(message_id: int, attempts: int, result: SendResult, text: str, now: dt.datetime) -> str:
    """Store an attempt's outcome: sent; failed at once (permanent); else back off, dead after
    MAX_ATTEMPTS. A recipient gone for good loses its link. -> the new state."""
    values: dict[Any, Any] = {ChannelOutboxMessage.rendered_text: text}
    if result.ok:
        state = rules.SENT
        values |= {ChannelOutboxMessage.sent_at: now, ChannelOutboxMessage.last_error: "",
                   ChannelOutboxMessage.provider_id: result.provider_id[:200]}
    else:
        retry_at = None if result.permanent else rules.next_attempt(attempts, now)
        state = rules.PENDING if retry_at else (rules.FAILED if result.permanent else rules.DEAD)
        values |= {ChannelOutboxMessage.next_attempt_at: retry_at or now,
                   ChannelOutboxMessage.last_error: result.error[:1000]}
    async with engine.write():
        row = await ChannelOutboxMessage.update({**values, ChannelOutboxMessage.state: state}).where(
            ChannelOutboxMessage.id == message_id).returning(ChannelOutboxMessage.merchant,
                                                             ChannelOutboxMessage.order_id,
                                                             ChannelOutboxMessage.channel,
                                                             ChannelOutboxMessage.recipient)
        if result.drop_recipient and row:
            await drop_recipient(row[0]["merchant"], row[0]["channel"], row[0]["recipient"], now=now)
    return state


async def skip(message_id: int, reason: str) -> None:
    async with engine.write():
        await ChannelOutboxMessage.update({ChannelOutboxMessage.state: rules.SKIPPED,
                                           ChannelOutboxMessage.last_error: reason[:1000]}).where(
            ChannelOutboxMessage.id == message_id)


async def release_stuck(now: dt.datetime) -> int:
    """Messages whose worker died mid-send (lease over): due again, or dead when out of attempts."""
    return await outbox_claim.release_stuck(ChannelOutboxMessage, now, max_attempts=rules.MAX_ATTEMPTS)


async def send_again(merchant_id: int, message_id: int, *, now: dt.datetime) -> None:
    """The merchant's "send again" of a failed, dead, suppressed or skipped message: due now, fresh attempts."""
    async with engine.write():
        updated = await ChannelOutboxMessage.update({
            ChannelOutboxMessage.state: rules.PENDING, ChannelOutboxMessage.next_attempt_at: now,
            ChannelOutboxMessage.attempts: 0, ChannelOutboxMessage.last_error: "",
        }).where(
            (ChannelOutboxMessage.id == message_id) & (ChannelOutboxMessage.merchant == merchant_id)
            & ChannelOutboxMessage.state.is_in(list(rules.RETRYABLE))
        ).returning(ChannelOutboxMessage.id)
        if not updated:
            exists = await ChannelOutboxMessage.exists().where(
                (ChannelOutboxMessage.id == message_id) & (ChannelOutboxMessage.merchant == merchant_id))
            if not exists:
                raise NotFound(rules.NOT_FOUND, "message not found")
            raise Conflict(rules.NOT_RETRYABLE, "only a failed, dead, suppressed or skipped message can be sent again")


# --- merchant accounts ----------------------------------------------------------------------------------


async def save_account(merchant_id: int, channel: str, body: dict[str, Any], *, secret_key: str,
                       now: dt.datetime) -> None:
    """The settings form of one channel: on/off, events, and any credentials typed (sealed at rest;
    fields left empty keep what is stored). Turning a channel on needs complete credentials."""
    clean, errors = rules.validate_account(channel, body)
    if errors:
        raise ValidationFailed(errors)
    key = rules.account_key(merchant_id, channel)
    async with engine.write():
        row = await ChannelAccount.select().where(ChannelAccount.key == key).output(load_json=True).first()
        stored = vault.unseal(secret_key, row["credentials"]) if row else {}
        values = {**stored, **clean["credentials"]}
        if clean["enabled"] and not Credentials(channel, values).complete:
            missing = [f for f in rules.CREDENTIAL_FIELDS[channel] if not values.get(f)]
            raise ValidationFailed([{"field": missing[0], "code": rules.NOT_CONFIGURED,
                                     "message": "is needed to turn this channel on"}])
        update = {"enabled": clean["enabled"], "events": clean["events"], "credentials": vault.seal(secret_key, values),
                  "hints": {name: rules.hint(value) for name, value in values.items()}, "updated_at": now}
        if row:
            await ChannelAccount.update({getattr(ChannelAccount, k): val for k, val in update.items()}).where(
                ChannelAccount.key == key)
        else:
            await ChannelAccount.insert(ChannelAccount(merchant=merchant_id, channel=channel, key=key, **update))


async def credentials(merchant_id: int, channel: str, *, secret_key: str) -> Credentials:
    if channel == rules.PUSH:  # the server's VAPID key, not the merchant's
        return await push.credentials(secret_key, dt.datetime.now(dt.UTC))
    async with engine.read():
        row = await ChannelAccount.select(ChannelAccount.credentials).where(
            ChannelAccount.key == rules.account_key(merchant_id, channel)).first()
    return Credentials(channel, vault.unseal(secret_key, row["credentials"]) if row else {})


# --- the shopper's links and consents ---------------------------------------------------------------------


async def _set_recipient(merchant_id: int, order_id: int, channel: str, *, recipient: str | None, active: bool,
                         nonce: str | None, now: dt.datetime) -> None:
    key = rules.recipient_key(merchant_id, order_id, channel)
    values: dict[Any, Any] = {ChannelRecipient.active: active, ChannelRecipient.nonce: nonce,
                              ChannelRecipient.updated_at: now}
    if recipient is not None:
        values[ChannelRecipient.recipient] = recipient
    updated = await ChannelRecipient.update(values).where(ChannelRecipient.key == key).returning(ChannelRecipient.id)
    if not updated:
        await ChannelRecipient.insert(ChannelRecipient(
            merchant=merchant_id, order_id=order_id, channel=channel, key=key, recipient=recipient or "",
            active=active, nonce=nonce, updated_at=now))


async def _log(merchant_id: int, order_id: int, channel: str, action: str, source: str, now: dt.datetime) -> None:
    await ChannelConsent.insert(ChannelConsent(merchant=merchant_id, order_id=order_id, channel=channel,
                                               action=action, source=source, at=now))


async def sms_consent(merchant_id: int, order_id: int, *, source: str, now: dt.datetime) -> str:
    """The shopper opts in to text messages (on the hub, or the storefront's `customer.sms_consent`):
    only to the order's own phone, valid in E.164. -> the number."""
    async with engine.write():
        order = await Order.select(Order.customer, Order.shipping_address).where(
            (Order.id == order_id) & (Order.merchant == merchant_id)).output(load_json=True).first()
        if order is None:
            raise NotFound(rules.NOT_FOUND, "order not found")
        raw = (order["customer"] or {}).get("phone")
        if not raw:
            raise ValidationFailed([{"field": "phone", "code": rules.NO_PHONE, "message": "the order has no phone number"}])
        number = rules.e164(raw, (order["shipping_address"] or {}).get("country"))
        if number is None:
            raise ValidationFailed([{"field": "phone", "code": rules.BAD_PHONE,
                                     "message": "the order's phone number is not a valid number for text messages"}])
        await _set_recipient(merchant_id, order_id, rules.SMS, recipient=number, active=True, nonce=None, now=now)
        await _log(merchant_id, order_id, rules.SMS, "consent", source, now)
    return number


async def withdraw(merchant_id: int, order_id: int, channel: str, *, source: str, now: dt.datetime) -> None:
    """The shopper stops a channel for this order (SMS, LINE): the link goes, the withdrawal is logged."""
    async with engine.write():
        await _set_recipient(merchant_id, order_id, channel, recipient=None, active=False, nonce=None, now=now)
        await _log(merchant_id, order_id, channel, "withdrawal", source, now)


async def line_link_started(merchant_id: int, order_id: int, *, now: dt.datetime) -> str:
    """The shopper pressed "Get updates on LINE": a fresh nonce for LINE's account-link dialog. -> nonce."""
    nonce = secrets.token_urlsafe(24)
    async with engine.write():
        await _set_recipient(merchant_id, order_id, rules.LINE, recipient=None, active=False, nonce=nonce, now=now)
    return nonce


async def line_link_done(merchant_id: int, nonce: str, user_id: str, *, now: dt.datetime) -> bool:
    """LINE's accountLink event with our nonce: bind the LINE user to the order. -> bound. A nonce is
    used once (cleared on binding) and only within line_bot_rules.LINK_TTL of being issued; an
    unknown, reused or expired nonce, or no user id, binds nothing."""
    if not nonce or not user_id or len(user_id) > 200:
        return False
    async with engine.write():
        row = await ChannelRecipient.select(ChannelRecipient.order_id, ChannelRecipient.updated_at).where(
            (ChannelRecipient.nonce == nonce) & (ChannelRecipient.merchant == merchant_id)
            & (ChannelRecipient.channel == rules.LINE)).first()
        if row is None:
            return False
        if not bot_rules.nonce_fresh(row["updated_at"], now):
            await ChannelRecipient.update({ChannelRecipient.nonce: None}).where(
                ChannelRecipient.nonce == nonce)
            return False
        await _set_recipient(merchant_id, row["order_id"], rules.LINE, recipient=user_id, active=True, nonce=None,
                             now=now)
        await _log(merchant_id, row["order_id"], rules.LINE, "consent", "line", now)
    return True


async def drop_recipient(merchant_id: int, channel: str, recipient: str, *, now: dt.datetime,
                         source: str = "provider") -> int:
    """A recipient gone for good (LINE unfollow, 404 from the provider): every link of it removed and
    the withdrawal logged. -> links removed."""
    async with engine.write():
        rows = await ChannelRecipient.update({ChannelRecipient.active: False, ChannelRecipient.updated_at: now}).where(
            (ChannelRecipient.merchant == merchant_id) & (ChannelRecipient.channel == channel)
            & (ChannelRecipient.recipient == recipient) & (ChannelRecipient.active == True)  # noqa: E712
        ).returning(ChannelRecipient.order_id)
        for r in rows:
            await _log(merchant_id, r["order_id"], channel, "withdrawal", source, now)
    return len(rows)
