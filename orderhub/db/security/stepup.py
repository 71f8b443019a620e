"""Step-up: a shopper proves, before a hub action that changes the order (cancel, change), that they
are the person who placed it, beyond holding the hub link.

The second factor is a 6-digit code sent to the order's email (through the email outbox, urgent, its
own message kind), or, when the merchant has shopper emails off or the order has no email, the
shipping postal code. Codes are kept only as an HMAC (`key`: `settings.key_for("stepup")`), expire
after CODE_MINUTES, are single-use and answer at most MAX_ATTEMPTS wrong guesses. A right answer
opens the purpose for VERIFIED_MINUTES, for that order and that browser only (`session`: the random
value of the browser's step-up cookie; only its SHA-256 is kept).

Sending and guessing are also rate-limited per order and per client address by the web layer's
limiters (`orderhub/site/hub/stepup.py`), which count in the same shared counters as every limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from orderhub.db import engine
from orderhub.db.emails import rules as email_rules
from orderhub.db.emails import services as emails
from orderhub.db.errors import Conflict
from orderhub.db.orders import rules as order_rules
from orderhub.db.orders.tables import Order
from orderhub.db.security.tables import StepupChallenge
from orderhub.db.validation import is_digits

#: the hub actions that ask for a step-up (the `change` flow uses "change")
PURPOSES = ("cancel", "change")
EMAIL, POSTAL, NONE = "email", "postal", "none"
CODE_MINUTES = 10
VERIFIED_MINUTES = 15
MAX_ATTEMPTS = 5
#: the email event that carries the code (db/emails/rules.EVENTS)
CODE_EVENT = "stepup.code"

# outcomes of `verify`
VERIFIED, WRONG, EXPIRED, LOCKED, NO_CODE = "verified", "wrong", "expired", "locked", "no_code"
#: refusal codes (site/messages/security.py words them)
NO_FACTOR = "stepup.no_factor"
NOT_EMAIL = "stepup.not_email"


def session_hash(session: str) -> str:
    return hashlib.sha256(session.encode()).hexdigest()


def new_session() -> str:
    """The random value of a browser's step-up cookie (256 bits)."""
    return secrets.token_urlsafe(32)


def well_formed_session(raw: str | None) -> bool:
    return bool(raw) and 20 <= len(raw or "") <= 64 and all(c.isalnum() or c in "-_" for c in raw or "")


def code_hash(key: bytes, challenge_id: int, code: str) -> str:
    return hmac.new(key, f"{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def clean_code(raw: str) -> str:
    """What the shopper typed, as the digits of a code (full-width digits and spaces allowed)."""
    digits = "".join(str(int(c)) for c in (raw or "")[:40] if is_digits(c))
    return digits


def choose_method(emails_on: bool, email: str, postal_code: str) -> str:
    """Email code when the merchant sends shopper emails and the order has an address; else the postal
    code; NONE when neither exists (a pickup order of a merchant without shopper emails)."""
    if emails_on and email:
        return EMAIL
    return POSTAL if postal_code else NONE


@dataclass(frozen=True)
class Factor:
    method: str
    masked_email: str
    postal_code: str
    country: str


async def factor(order_id: int) -> Factor:
    """Which second factor this order offers."""
    async with engine.read():
        row = await Order.select(Order.customer_email, Order.shipping_address, Order.merchant.settings.as_alias("ms")
                                 ).where(Order.id == order_id).output(load_json=True).first()
    if row is None:
        return Factor(NONE, "", "", "")
    conf = email_rules.read_emails_settings(((row["ms"] or {}) if isinstance(row["ms"], dict) else {}).get("emails"))
    address: dict[str, Any] = row["shipping_address"] or {}
    postal = str(address.get("postal_code") or "")
    method = choose_method(bool(conf["send"]), row["customer_email"] or "", postal)
    return Factor(method, order_rules.mask_email(row["customer_email"] or ""), postal, str(address.get("country") or ""))


@dataclass(frozen=True)
class Pending:
    """The browser's open challenge for an order and purpose (what the page shows)."""

    id: int
    method: str
    expires_at: dt.datetime
    attempts_left: int


def _mine(order_id: int, purpose: str, session: str) -> Any:
    return ((StepupChallenge.order_id == order_id) & (StepupChallenge.purpose == purpose)
            & (StepupChallenge.session_hash == session_hash(session)))


async def send_code(merchant_id: int, order_id: int, purpose: str, session: str, *, key: bytes,
                    now: dt.datetime) -> Pending:
    """A new code to the order's email; the browser's earlier open codes for it stop working."""
    if purpose not in PURPOSES:
        raise Conflict("stepup.purpose", "unknown purpose")
    found = await factor(order_id)
    if found.method != EMAIL:
        raise Conflict(NOT_EMAIL, "this order is verified with its postal code")
    code = new_code()
    expires = now + dt.timedelta(minutes=CODE_MINUTES)
    async with engine.write():
        await StepupChallenge.update({StepupChallenge.expires_at: now}).where(
            _mine(order_id, purpose, session) & StepupChallenge.verified_at.is_null()
            & (StepupChallenge.expires_at > now))
        row = StepupChallenge(order_id=order_id, purpose=purpose, method=EMAIL, session_hash=session_hash(session),
                              code_hash="", attempts=0, created_at=now, expires_at=expires)
        await row.save()
        await StepupChallenge.update({StepupChallenge.code_hash: code_hash(key, row.id, code)}).where(
            StepupChallenge.id == row.id)
        await emails.enqueue(merchant_id, CODE_EVENT,
                             {"challenge_id": row.id, "code": code, "purpose": purpose, "minutes": CODE_MINUTES},
                             order_id=order_id, now=now)
    return Pending(row.id, EMAIL, expires, MAX_ATTEMPTS)


async def pending(order_id: int, purpose: str, session: str, now: dt.datetime) -> Pending | None:
    """The browser's open email challenge (sent, not expired, not answered)."""
    if not well_formed_session(session):
        return None
    async with engine.read():
        row = await StepupChallenge.select().where(
            _mine(order_id, purpose, session) & (StepupChallenge.method == EMAIL)
            & StepupChallenge.verified_at.is_null() & (StepupChallenge.expires_at > now)
        ).order_by(StepupChallenge.id, ascending=False).first()
    if row is None:
        return None
    return Pending(row["id"], EMAIL, row["expires_at"], max(0, MAX_ATTEMPTS - row["attempts"]))


async def verify(order_id: int, purpose: str, session: str, answer: str, *, key: bytes, now: dt.datetime) -> str:
    """Checks the shopper's answer (the code, or the postal code) -> VERIFIED, WRONG, EXPIRED, LOCKED or
    NO_CODE. A right answer is used once; MAX_ATTEMPTS wrong ones end the challenge."""
    if purpose not in PURPOSES or not well_formed_session(session):
        return NO_CODE
    found = await factor(order_id)
    if found.method == NONE:
        return NO_CODE
    async with engine.write():
        row = await StepupChallenge.select().where(
            _mine(order_id, purpose, session) & (StepupChallenge.method == found.method)
            & StepupChallenge.verified_at.is_null()).order_by(StepupChallenge.id, ascending=False).first()
        if row is None or row["expires_at"] <= now:
            if found.method == EMAIL:
                return EXPIRED if row is not None else NO_CODE
            # the postal code: a fresh challenge counts this browser's guesses
            row = {"id": await _postal_challenge(order_id, purpose, session, now), "attempts": 0,
                   "code_hash": "", "expires_at": now + dt.timedelta(minutes=CODE_MINUTES)}
        if row["attempts"] >= MAX_ATTEMPTS:
            return LOCKED
        if found.method == EMAIL:
            right = hmac.compare_digest(row["code_hash"], code_hash(key, row["id"], clean_code(answer)))
        else:
            right = order_rules.postal_codes_match(found.postal_code, (answer or "")[:40], found.country)
        if not right:
            await StepupChallenge.update({StepupChallenge.attempts: StepupChallenge.attempts + 1}).where(
                StepupChallenge.id == row["id"])
            return LOCKED if row["attempts"] + 1 >= MAX_ATTEMPTS else WRONG
        await StepupChallenge.update({
            StepupChallenge.verified_at: now,
            StepupChallenge.verified_until: now + dt.timedelta(minutes=VERIFIED_MINUTES),
        }).where((StepupChallenge.id == row["id"]) & StepupChallenge.verified_at.is_null())
    return VERIFIED


async def _postal_challenge(order_id: int, purpose: str, session: str, now: dt.datetime) -> int:
    row = StepupChallenge(order_id=order_id, purpose=purpose, method=POSTAL, session_hash=session_hash(session),
                          code_hash="", attempts=0, created_at=now, expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
    await row.save()
    return int(row.id)


async def verified(order_id: int, purpose: str, session: str | None, now: dt.datetime) -> bool:
    """True while this browser's step-up for the order and purpose lasts."""
    if not session or not well_formed_session(session):
        return False
    async with engine.read():
        row = await StepupChallenge.select(StepupChallenge.id).where(
            _mine(order_id, purpose, session) & (StepupChallenge.verified_until > now)).first()
    return row is not None


async def end(order_id: int, purpose: str, session: str | None, now: dt.datetime) -> None:
    """The action is done: the step-up ends (the next action asks again)."""
    if not session or not well_formed_session(session):
        return
    async with engine.write():
        await StepupChallenge.update({StepupChallenge.verified_until: now}).where(
            _mine(order_id, purpose, session) & (StepupChallenge.verified_until > now))


async def sweep(now: dt.datetime, *, keep: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Deletes challenges long past (none of them opens or counts anything any more)."""
    async with engine.write():
        gone = await StepupChallenge.delete().where(StepupChallenge.expires_at < now - keep).returning(
            StepupChallenge.id)
    return len(gone)
