"""Browser notifications through the Web Push protocol (RFC 8030, 8291, 8292).

- **The VAPID key** is made once, by whichever process asks first, and kept in `push_keys` (the private
  key encrypted with a key derived from the secret key): every process and every restart signs with
  the same key, so subscriptions made against it keep working.
- **Subscriptions** come from the hub's "Notify me" (the browser's `PushSubscription` as JSON), are
  checked here (an https endpoint, or a host of `ORDERHUB_ALLOW_INTERNAL_HOSTS`; keys that decode to a
  P-256 point and a 16-byte secret; size limits) and stored per order: the row is the shopper's
  consent (time and source); removing it is the withdrawal.
- **Sending**: the payload is encrypted with pywebpush (aes128gcm) and signed with py-vapid; the
  request goes out through the guarded httpx client (`orderhub.outbound`). 201 is sent; 404/410 mean
  the browser dropped the subscription (the row is removed); 429 and 5xx are retried later.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from py_vapid import Vapid02
from pywebpush import WebPusher

from orderhub.db import engine, statements, texts
from orderhub.db.channels import rules
from orderhub.db.channels.push_tables import PushKey, PushSubscription
from orderhub.db.channels.rules import ChannelMessage, Credentials, SendResult
from orderhub.db.channels.tables import ChannelConsent
from orderhub.db.emails import rules as email_rules
from orderhub.db.keys import scoped
from orderhub.db.merchants.tables import Merchant
from orderhub.db.validation import ValidationFailed, field_error
from orderhub.outbound import host_allowed

# --- checking a subscription (pure) --------------------------------------------------------------

MAX_BODY_BYTES = 4096
MAX_ENDPOINT = 1024
#: error codes (pages word them through site/messages; the API answers the English)
BAD_SUBSCRIPTION = "push.bad_subscription"
BAD_ENDPOINT = "push.bad_endpoint"
BAD_KEY = "push.bad_key"


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def _b64url(value: str) -> bytes:
    if not value or len(value) > 200 or any(c not in _B64URL for c in value):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


#: what RFC 3986 allows in a URL (percent-encoded anything else); no spaces, quotes or angle brackets
_URL_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+$")
_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def endpoint_ok(endpoint: str, allow_hosts: Collection[str]) -> bool:
    """An https URL with a host name and nothing hidden in it (no user info, no fragment); plain
    http only for a host the operator allowed (a local push service in tests)."""
    if not endpoint or len(endpoint) > MAX_ENDPOINT or not _URL_CHARACTERS.match(endpoint):
        return False
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 — raises on a bad port
    except ValueError:
        return False
    if not parts.hostname or parts.username or parts.password or parts.fragment:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and host_allowed(parts.hostname, allow_hosts)


def read_subscription(raw: bytes, allow_hosts: Collection[str] = ()) -> Subscription:
    """The browser's subscription JSON ({"endpoint", "keys": {"p256dh", "auth"}}), or ValidationFailed."""
    def fail(field: str, code: str, message: str) -> ValidationFailed:
        return ValidationFailed([field_error(field, code, message)])

    if len(raw) > MAX_BODY_BYTES:
        raise fail("", BAD_SUBSCRIPTION, "the subscription is too large")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise fail("", BAD_SUBSCRIPTION, "the subscription is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise fail("", BAD_SUBSCRIPTION, "the subscription needs an endpoint and keys")
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint_ok(endpoint, allow_hosts):
        raise fail("endpoint", BAD_ENDPOINT, "the endpoint must be an https URL")
    keys = data["keys"]
    try:
        point = _b64url(keys.get("p256dh") if isinstance(keys.get("p256dh"), str) else "")
        secret = _b64url(keys.get("auth") if isinstance(keys.get("auth"), str) else "")
    except (ValueError, binascii.Error):
        raise fail("keys", BAD_KEY, "the keys must be base64url") from None
    if len(point) != 65 or point[0] != 4:
        raise fail("keys.p256dh", BAD_KEY, "p256dh must be an uncompressed P-256 public key")
    if len(secret) != 16:
        raise fail("keys.auth", BAD_KEY, "auth must be 16 bytes")
    return Subscription(endpoint=endpoint, p256dh=b64url(point), auth=b64url(secret))


# --- the VAPID key ------------------------------------------------------------------------------

KEY_NAME = "vapid"


@dataclass(frozen=True)
class VapidKey:
    signer: Vapid02
    #: base64url of the uncompressed public point (`applicationServerKey` in the browser)
    public_key: str


_KEYS: dict[str, VapidKey] = {}


def _fernet(secret_key: str) -> Fernet:
    """The VAPID private key's own key, derived from the secret key (HKDF, as the channel vault)."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"orderhub push vapid").derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _public_b64(signer: Vapid02) -> str:
    point = signer.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


async def vapid_key(secret: str, now: dt.datetime) -> VapidKey:
    """The server's VAPID key: read from the database (made there the first time; two processes
    racing both read the one that was stored), kept in memory for this process."""
    if secret in _KEYS:
        return _KEYS[secret]
    async with engine.write():
        row = await PushKey.select(PushKey.private_key).where(PushKey.name == KEY_NAME).first()
        if row is None:
            fresh = Vapid02()
            fresh.generate_keys()
            await PushKey.insert(PushKey(
                name=KEY_NAME, private_key=_fernet(secret).encrypt(fresh.private_pem()).decode(),
                public_key=_public_b64(fresh), created_at=now,
            )).on_conflict(target=PushKey.name, action="DO NOTHING")
            row = await PushKey.select(PushKey.private_key).where(PushKey.name == KEY_NAME).first()
    assert row is not None  # stored above, by this process or another
    signer = Vapid02.from_pem(_fernet(secret).decrypt(row["private_key"].encode()))
    key = VapidKey(signer=signer, public_key=_public_b64(signer))
    _KEYS[secret] = key
    return key


# --- subscriptions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredSubscription:
    id: int
    order_id: int
    endpoint: str
    p256dh: str
    auth: str
    locale: str


def _key(order_id: int, endpoint: str) -> str:
    return scoped(order_id, hashlib.sha256(endpoint.encode()).hexdigest()[:64])


async def subscribe(merchant_id: int, order_id: int, sub: Subscription, *, locale: str, now: dt.datetime,
                    source: str = "hub") -> bool:
    """Store the browser's subscription for this order (the shopper's consent, with time and
    source); True when it is new, False when this browser had already subscribed (keys refreshed)."""
    async with engine.write():
        key = _key(order_id, sub.endpoint)
        existing = await PushSubscription.select(PushSubscription.id).where(PushSubscription.key == key).first()
        if existing is not None:
            await PushSubscription.update({PushSubscription.p256dh: sub.p256dh, PushSubscription.auth: sub.auth,
                                           PushSubscription.locale: locale}).where(PushSubscription.id == existing["id"])
            return False
        await PushSubscription.insert(PushSubscription(
            merchant=merchant_id, order=order_id, key=key, endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth,
            locale=locale, source=source, created_at=now,
        )).on_conflict(target=PushSubscription.key, action="DO NOTHING")
        await _log(merchant_id, order_id, "consent", source, now)
        return True


async def unsubscribe(merchant_id: int, order_id: int, endpoint: str | None = None, *, now: dt.datetime,
                      source: str = "hub") -> int:
    """Withdraw: remove this browser's subscription to the order (by its endpoint), or with no
    endpoint every browser's (the no-JavaScript form); the withdrawal is logged. -> the number removed."""
    async with engine.write():
        where = (PushSubscription.order == order_id) & (PushSubscription.merchant == merchant_id)
        if endpoint:
            where = where & (PushSubscription.key == _key(order_id, endpoint))
        gone = await PushSubscription.delete().where(where).returning(PushSubscription.id)
        if gone:
            await _log(merchant_id, order_id, "withdrawal", source, now)
        return len(gone)


async def remove(subscription_id: int, *, now: dt.datetime) -> None:
    """The push service says the subscription is gone (404/410): removed, the withdrawal logged."""
    async with engine.write():
        gone = await PushSubscription.delete().where(PushSubscription.id == subscription_id).returning(
            PushSubscription.merchant, PushSubscription.order)
        for row in gone:
            await _log(row["merchant"], row["order"], "withdrawal", "provider", now)


async def _log(merchant_id: int, order_id: int, action: str, source: str, now: dt.datetime) -> None:
    """The channel layer's consent log (channel_consents), as for LINE and SMS."""
    await ChannelConsent.insert(ChannelConsent(merchant=merchant_id, order_id=order_id, channel=rules.PUSH,
                                               action=action, source=source, at=now))


async def for_order(order_id: int) -> list[StoredSubscription]:
    async with engine.read():
        rows = await PushSubscription.select(
            PushSubscription.id, PushSubscription.order, PushSubscription.endpoint, PushSubscription.p256dh,
            PushSubscription.auth, PushSubscription.locale,
        ).where(PushSubscription.order == order_id).order_by(PushSubscription.id)
    return [StoredSubscription(id=r["id"], order_id=r["order"], endpoint=r["endpoint"], p256dh=r["p256dh"],
                               auth=r["auth"], locale=r["locale"]) for r in rows]


async def count_for_order(order_id: int) -> int:
    async with engine.read():
        return int(await PushSubscription.count().where(PushSubscription.order == order_id))


# --- sending ------------------------------------------------------------------------------------

#: how long a push service keeps a message for a browser that is offline (seconds)
TTL = 24 * 3600


def payload(title: str, body: str, url: str, tag: str, lang: str) -> bytes:
    """What the service worker (static/js/sw.js) shows: a title, a body, the hub link it opens."""
    return json.dumps({"title": title, "body": body, "url": url, "tag": tag, "lang": lang},
                      ensure_ascii=False).encode()


def signed_request(sub: StoredSubscription | Subscription, data: bytes, key: VapidKey, *, subject: str,
                   now: dt.datetime, ttl: int = TTL, urgency: str = "normal") -> tuple[dict[str, str], bytes]:
    """The headers and encrypted body of one push message: aes128gcm (RFC 8291) by pywebpush,
    the VAPID `Authorization` (RFC 8292) by py-vapid, valid for 12 hours from `now`."""
    encrypted = WebPusher({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}).encode(data)
    parts = urlsplit(sub.endpoint)
    claims: dict[str, Any] = {"aud": f"{parts.scheme}://{parts.netloc}", "sub": subject,
                              "exp": int((now + dt.timedelta(hours=12)).timestamp())}
    headers = {k: str(v) for k, v in key.signer.sign(claims).items()}
    headers.update({"TTL": str(ttl), "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream",
                    "Urgency": urgency})
    return headers, bytes(encrypted["body"])


async def send(client: httpx.AsyncClient, sub: StoredSubscription, data: bytes, key: VapidKey, *, subject: str,
               now: dt.datetime, urgency: str = "normal") -> SendResult:
    """Send one message to one browser (RFC 8030 answers: 201 sent; 404/410 the subscription is
    gone, so it is removed and the withdrawal logged; 429 and 5xx retried by the channel job)."""
    headers, body = signed_request(sub, data, key, subject=subject, now=now, urgency=urgency)
    try:
        response = await client.post(sub.endpoint, content=body, headers=headers)
    except httpx.HTTPError:
        return SendResult(ok=False, error="could not reach the push service")
    result = rules.result_of_status(response.status_code, response.text)
    if result.ok:
        return replace(result, provider_id=response.headers.get("location", "")[:200])
    if result.drop_recipient:
        await remove(sub.id, now=now)
    return result


# --- the channel layer's interface (db/channels/services: RECIPIENTS, SENDERS, credentials) --------


async def recipients(merchant_id: int, order_id: int) -> list[str]:
    """Who hears about the order by browser notification: each subscription (its id)."""
    async with engine.read():
        rows = await PushSubscription.select(PushSubscription.id).where(
            (PushSubscription.order == order_id) & (PushSubscription.merchant == merchant_id)).order_by(PushSubscription.id)
    return [str(r["id"]) for r in rows]


async def credentials(secret_key: str, now: dt.datetime) -> Credentials:
    """What the push sender needs: the server's VAPID key (the merchant has no push credentials)."""
    key = await vapid_key(secret_key, now)
    return Credentials(rules.PUSH, {"vapid_private_pem": key.signer.private_pem().decode()})


async def send_channel(client: httpx.AsyncClient, message: ChannelMessage, creds: Credentials) -> SendResult:
    """SENDERS["push"]: the channel message as a notification (the shop's name as its title, the
    sentence as its body, the hub link it opens) to the subscription named by its recipient."""
    subs = [s for s in await for_order(message.order_id or 0) if str(s.id) == message.recipient]
    if not subs:
        return SendResult(ok=False, permanent=True, error="the browser is no longer subscribed")
    pem = creds.get("vapid_private_pem")
    if not pem:
        return SendResult(ok=False, error="the VAPID key is not loaded")
    signer = Vapid02.from_pem(pem.encode())
    key = VapidKey(signer=signer, public_key=_public_b64(signer))
    title, body = await _words(message)
    data = payload(title, body, message.link, f"{message.order_id}:{message.kind}", message.locale)
    subject = contact(message.link)
    return await send(client, subs[0], data, key, subject=subject, now=dt.datetime.now(dt.UTC),
                      urgency="high" if message.kind in URGENT_KINDS else "normal")


def contact(link: str) -> str:
    """The VAPID `sub` claim: the site's https origin, else a postmaster address at its host."""
    parts = urlsplit(link)
    if parts.scheme == "https" and parts.hostname:
        return f"https://{parts.netloc}"
    return f"mailto:postmaster@{parts.hostname or 'localhost'}"


#: kinds a phone should show at once (the shopper must act or the parcel is at the door)
URGENT_KINDS = frozenset({"arriving_today", "exception", "pickup_ready"})


async def _words(message: ChannelMessage) -> tuple[str, str]:
    """The shop's name in the message's language, and the message's text without its link."""
    async with engine.read():
        row = await Merchant.select(Merchant.name, Merchant.texts).where(
            Merchant.id == message.merchant_id).output(load_json=True).first()
    name = texts.text((row or {}).get("texts"), "name", message.locale, (row or {}).get("name") or "")
    body = message.text.replace(message.link, "").strip() if message.link else message.text
    return str(name), body


# --- the shopper's panel ("How should we tell you?") ----------------------------------------------


@dataclass(frozen=True)
class ChannelState:
    #: "email" | "line" | "sms" | "push"
    channel: str
    on: bool
    #: what it goes to, already masked ("t***@example.jp", "+81 ••• 5678"), or ""
    to: str = ""
    #: browsers subscribed (push)
    count: int = 0


_ENABLED_ACCOUNTS = statements.Statement(
    "SELECT a.channel AS channel FROM channel_accounts a WHERE a.merchant = ? AND a.enabled")
_RECIPIENTS = statements.Statement(
    "SELECT r.channel AS channel, r.recipient AS recipient, r.active AS active FROM channel_recipients r "
    "WHERE r.order_id = ? AND r.merchant = ?")
_SUBSCRIPTIONS = statements.Statement('SELECT count(*) AS n FROM push_subscriptions s WHERE s."order" = ?')


def _panel_reads(merchant_id: int, order_id: int) -> list[statements.Read]:
    return [_ENABLED_ACCOUNTS.read(merchant_id), _RECIPIENTS.read(order_id, merchant_id), _SUBSCRIPTIONS.read(order_id)]


def panel_reads(order: dict[str, Any]) -> list[statements.Read]:
    """The reads `channel_states` makes, from the order's row (prefetched with the hub's own reads:
    one round trip on PostgreSQL, `statements.prefetch`)."""
    return _panel_reads(order["merchant"], order["id"])


async def channel_states(merchant_id: int, merchant_settings: dict[str, Any] | None, order_id: int,
                         masked_email: str) -> list[ChannelState]:
    """The channels the merchant uses for this order, each with its state, in the panel's order:
    email (when the merchant sends emails), then each channel the merchant enabled (LINE, SMS,
    browser notifications) with this order's link, opt-in or subscriptions."""
    states = []
    emails = email_rules.read_emails_settings((merchant_settings or {}).get("emails"))
    if emails["send"]:
        states.append(ChannelState("email", on=bool(masked_email), to=masked_email))
    async with engine.read():  # fixed statements (orderhub.db.statements): the panel is on hot pages
        accounts, links, subscriptions = [await read.all() for read in _panel_reads(merchant_id, order_id)]
        count = int((subscriptions[0] if subscriptions else {}).get("n") or 0)
    enabled = {a["channel"] for a in accounts}
    linked = {r["channel"]: r["recipient"] for r in links if r["active"] and r["recipient"]}
    for channel in rules.CHANNELS:
        if channel not in enabled:
            continue
        if channel == rules.PUSH:
            states.append(ChannelState(channel, on=count > 0, count=count))
        elif channel == rules.SMS:
            number = linked.get(channel, "")
            states.append(ChannelState(channel, on=bool(number), to=rules.masked_phone(number) if number else ""))
        else:
            states.append(ChannelState(channel, on=channel in linked))
    return states
