"""Pure decisions for the channels beside email (LINE, SMS, browser push); no I/O, `now` a parameter.

The registry of channel names, a message's life in the channel outbox, the merchant's channel
settings (which events, which credentials), phone numbers (E.164 through `phonenumbers`), LINE's
signatures, the short text of each event, and the types the sender job and each channel's sender
share (`ChannelMessage`, `Credentials`, `SendResult`, `Sender`). Quiet hours, throttling, urgency and
the retry schedule are email's (db/emails/rules.py), reused, not repeated.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import phonenumbers

from orderhub.db import validation as v
from orderhub.db.emails import rules as email_rules
from orderhub.db.keys import scoped

# --- the registry ---------------------------------------------------------------------------------

LINE, SMS, PUSH = "line", "sms", "push"
#: every channel beside email, in the order pages list them
CHANNELS: tuple[str, ...] = (LINE, SMS, PUSH)
#: what pages call each channel (English msgids, translated when shown)
CHANNEL_NAMES: dict[str, str] = {LINE: "LINE", SMS: "SMS (text message)", PUSH: "Browser notifications"}
#: the credentials each channel's account needs (field -> English label msgid); push needs none of
#: the merchant's (the server's VAPID keys)
CREDENTIAL_FIELDS: dict[str, dict[str, str]] = {
    LINE: {"channel_secret": "Channel secret", "access_token": "Channel access token"},
    SMS: {"account_sid": "Account SID", "auth_token": "Auth token", "sender": "Sender number"},
    PUSH: {},
}
#: the shopper-facing events a channel can carry: the same as email's
EVENTS: tuple[str, ...] = tuple(email_rules.EVENTS)
#: what a new account carries until the merchant chooses
DEFAULT_EVENTS: tuple[str, ...] = (
    "shipment.shipped", "shipment.out_for_delivery", "shipment.delayed", "shipment.exception",
    "shipment.failed_attempt", "shipment.available_for_pickup", "shipment.delivered", "pickup.ready",
    "pickup.reminder",
)

# --- refusals --------------------------------------------------------------------------------------

NOT_FOUND = "channels.not_found"
NOT_RETRYABLE = "channels.not_retryable"
UNKNOWN_CHANNEL = "channels.unknown_channel"
BAD_PHONE = "channels.bad_phone"
NO_PHONE = "channels.no_phone"
NOT_CONFIGURED = "channels.not_configured"
BAD_SIGNATURE = "channels.bad_signature"

# --- a message's life (ChannelOutboxMessage.state) -------------------------------------------------

PENDING, SENDING, SENT, FAILED, DEAD = "pending", "sending", "sent", "failed", "dead"
SUPPRESSED, SKIPPED = email_rules.SUPPRESSED, email_rules.SKIPPED
WITHDRAWN = email_rules.WITHDRAWN
STATES = (PENDING, SENDING, SENT, FAILED, DEAD, SUPPRESSED, SKIPPED, WITHDRAWN)
#: counts for the in-transit throttle
WRITTEN = (PENDING, SENDING, SENT)
#: what the merchant may send again
RETRYABLE = (FAILED, DEAD, SUPPRESSED, SKIPPED)
#: the states the dashboard counts
FIGURES = (SENT, FAILED, DEAD)
#: the retry schedule and the lease are email's
MAX_ATTEMPTS = email_rules.MAX_ATTEMPTS
LEASE_SECONDS = email_rules.LEASE_SECONDS
next_attempt = email_rules.next_attempt
stale = email_rules.stale


def retryable(state: str) -> bool:
    return state in RETRYABLE


def message_key(merchant_id: int, order_id: int, event: str, payload: dict[str, Any], channel: str,
                recipient: str) -> str:
    """One message per state change, channel and recipient (the email's key, extended)."""
    digest = hashlib.sha256(recipient.encode()).hexdigest()[:16]
    return f"{email_rules.dedupe_key(merchant_id, order_id, event, payload)}:{channel}:{digest}"[:400]


def recipient_key(merchant_id: int, order_id: int, channel: str) -> str:
    return scoped(merchant_id, order_id, channel)


def account_key(merchant_id: int, channel: str) -> str:
    return scoped(merchant_id, channel)


# --- what the sender job and each channel's sender share --------------------------------------------


@dataclass(frozen=True)
class ChannelMessage:
    """A claimed message, rendered: what a sender needs."""

    id: int
    merchant_id: int
    order_id: int | None
    channel: str
    event: str
    kind: str
    recipient: str
    locale: str
    text: str
    attempts: int
    payload: dict[str, Any] = field(default_factory=dict)
    #: the hub link the text carries (push puts it in the notification's data)
    link: str = ""


@dataclass(frozen=True)
class Credentials:
    """A merchant's decrypted credentials for one channel (empty for push)."""

    channel: str
    values: dict[str, str] = field(default_factory=dict)
    #: the provider's base URL (a setting: ORDERHUB_LINE_API_URL, ORDERHUB_SMS_API_URL)
    api_url: str = ""

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def complete(self) -> bool:
        return all(self.values.get(f) for f in CREDENTIAL_FIELDS.get(self.channel, {}))


@dataclass(frozen=True)
class SendResult:
    """What a provider answered. `permanent`: never retry (failed at once); `drop_recipient`: the
    recipient is gone for good (LINE unfollowed, push subscription expired): its link is removed."""

    ok: bool
    permanent: bool = False
    provider_id: str = ""
    error: str = ""
    drop_recipient: bool = False


Sender = Callable[[httpx.AsyncClient, ChannelMessage, Credentials], Awaitable[SendResult]]


def result_of_status(status: int, body: str, *, gone: tuple[int, ...] = (404, 410)) -> SendResult:
    """A provider's HTTP answer -> SendResult: 2xx ok; 429, 408 and 5xx retried; `gone` drops the
    recipient; other 4xx are permanent refusals."""
    if 200 <= status < 300:
        return SendResult(ok=True)
    error = f"HTTP {status}: {body[:200]}"
    if status in (408, 429) or status >= 500:
        return SendResult(ok=False, error=error)
    return SendResult(ok=False, permanent=True, error=error, drop_recipient=status in gone)


# --- the merchant's settings --------------------------------------------------------------------------


def validate_account(channel: str, body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The settings form of one channel -> (clean {"enabled", "events", "credentials"}, errors).
    Credentials left empty keep the stored ones."""
    errors: list[dict[str, Any]] = []
    if channel not in CHANNELS:
        return {}, [v.field_error("channel", UNKNOWN_CHANNEL, "is not a channel")]
    enabled = body.get("enabled") in (True, "on", "1", "true")
    raw_events = body.get("events") or []
    if isinstance(raw_events, str):
        raw_events = [raw_events]
    events = [e for e in raw_events if isinstance(e, str)]
    unknown = [e for e in events if e not in EVENTS]
    if unknown or len(events) != len(raw_events):
        errors.append(v.field_error("events", v.NOT_CHOICE, "must be events a shopper hears about"))
    credentials: dict[str, str] = {}
    for name in CREDENTIAL_FIELDS[channel]:
        value = body.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or len(value) > 500 or any(ord(c) < 32 or c.isspace() for c in value):
            errors.append(v.field_error(name, v.INVALID, "must be one line of at most 500 characters, no spaces"))
            continue
        if channel == SMS and name == "sender":
            phone = e164(value, None)
            if phone is None:
                errors.append(v.field_error(name, BAD_PHONE,
                                            "must be a phone number in international form, like +81 90 1234 5678"))
                continue
            value = phone
        credentials[name] = value
    return {"enabled": enabled, "events": [e for e in EVENTS if e in events], "credentials": credentials}, errors


def hint(value: str) -> str:
    """What the settings page shows of a stored credential: its last four characters at most."""
    return "…" + value[-4:] if len(value) >= 12 else "…"


# --- phone numbers -----------------------------------------------------------------------------------


def e164(number: str | None, region: str | None) -> str | None:
    """A phone number in E.164 (+819012345678) when `phonenumbers` says it is a valid number (a
    national form needs the `region`, the shipping country), else None."""
    if not number or not isinstance(number, str) or len(number) > 40:
        return None
    try:
        parsed = phonenumbers.parse(number, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def masked_phone(number: str) -> str:
    """+81 ••• ••• 5678: what pages show of a stored number."""
    return f"{number[:3]} ••• {number[-4:]}" if len(number) > 7 else "•••"


# --- LINE ----------------------------------------------------------------------------------------------


def line_signature_ok(channel_secret: str, body: bytes, signature: str | None) -> bool:
    """LINE's webhook signature: base64 of HMAC-SHA256 over the raw body with the channel secret."""
    if not signature or not channel_secret:
        return False
    expected = base64.b64encode(hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature.strip())


def line_account_link_url(base: str, link_token: str, nonce: str) -> str:
    """Where the shopper goes to link: LINE's account-link dialog (the base is a setting)."""
    return str(httpx.URL(f"{base.rstrip('/')}/dialog/bot/accountLink", params={"linkToken": link_token,
                                                                              "nonce": nonce}))


# --- the short text of each event ------------------------------------------------------------------------

#: one short sentence per email kind (English msgids with %(number)s; translated when rendered)
SHORT_TEXTS: dict[str, str] = {
    "order_confirmed": "We received your order %(number)s.",
    "shipped": "Your order %(number)s has shipped.",
    "arriving_today": "Your order %(number)s arrives today.",
    "arriving_tomorrow": "Your order %(number)s arrives tomorrow.",
    "delayed": "Your order %(number)s is delayed.",
    "exception": "There is a problem with the delivery of your order %(number)s.",
    "delivered": "Your order %(number)s was delivered.",
    "pickup_ready": "Your order %(number)s is ready for pickup.",
    "pickup_reminder": "Your order %(number)s is waiting for you at the store.",
    "pickup_expired": "The pickup time for your order %(number)s has ended.",
    "return_approved": "Your return for order %(number)s is approved.",
    "return_received": "We received your return for order %(number)s.",
    "return_refunded": "Your refund for order %(number)s is on its way.",
    "review_invitation": "How do you like what you ordered (%(number)s)?",
    "survey_invitation": "How did we do with order %(number)s?",
}

GetText = Callable[..., str]


def short_text(kind: str, gettext: GetText, *, merchant_name: str, number: str, link: str, sentence: str = "") -> str:
    """"【Shop】 Your order 1001 has shipped. https://…/o/…/tracking": the merchant's name, one
    sentence in the reader's language (`gettext` of that language; `sentence` when the kind has its own
    with the fact that matters, orderhub/channels/texts.py), and the signed hub link."""
    sentence = sentence or gettext(SHORT_TEXTS.get(kind, "There is news about your order %(number)s."), number=number)
    return gettext("[%(shop)s] %(sentence)s %(link)s", shop=merchant_name, sentence=sentence, link=link)


def hub_link(base_url: str, token: str, section: str) -> str:
    return f"{base_url}/o/{token}" + (f"/{section}" if section else "")


def figures_since(now: dt.datetime) -> dt.datetime:
    """The dashboard's delivery figures count the last 7 days."""
    return now - dt.timedelta(days=7)
