"""Pure decisions for prepaid return labels: which returns get one, the job's states and backoff, how a
provider's answer is judged, the 着払い slip's reference, the label cost a shopper is charged, and how
a carrier event on the label's parcel moves the return. No I/O (db/returns/labels.py calls providers,
db/returns/label_jobs.py stores)."""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orderhub import money
from orderhub.db.emails import rules as email_rules

EASYPOST = "easypost"
SHIPPO = "shippo"
JP_SLIP = "jp_slip"
PROVIDERS = (EASYPOST, SHIPPO, JP_SLIP)
#: the providers called over HTTP (the slip needs no API: Japanese carriers' label APIs need contracts)
API_PROVIDERS = (EASYPOST, SHIPPO)
#: what each provider needs in the merchant's settings (sealed at rest, db/vault.py)
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {EASYPOST: ("api_key",), SHIPPO: ("api_token",), JP_SLIP: ()}

YAMATO = "yamato"
SAGAWA = "sagawa"
JAPAN_POST = "japan_post"
JP_CARRIERS = (YAMATO, SAGAWA, JAPAN_POST)
#: the carriers' names are the shipping area's (shipping.rules.carrier_name)

#: the methods a label is made for (the shopper posts the parcel)
LABEL_METHODS = ("mail",)

PENDING = "pending"
CREATING = "creating"
CREATED = "created"
FAILED = "failed"
#: the return was withdrawn (cancelled, rejected, expired) before a label was made: none is bought
CANCELLED = "cancelled"
STATES = (PENDING, CREATING, CREATED, FAILED, CANCELLED)
#: what the merchant's "retry now" may restart
RETRYABLE = (PENDING, FAILED)
#: what a withdrawal of the return cancels (a `creating` label is in a runner's hands: it re-checks the
#: return just before calling the provider, and a label bought meanwhile is stored but not announced)
CANCELLABLE = (PENDING, FAILED)
#: the return states in which a failed label's charge still leaves the breakdown (the refund is not paid
#: yet); returns.rules APPROVED, IN_TRANSIT, RECEIVED (it imports this module)
CHARGE_DROPPABLE = ("approved", "in_transit", "received")

MAX_ATTEMPTS = email_rules.MAX_ATTEMPTS
#: one provider call's time limit, and the most calls one attempt makes (look up, shipment, buy)
CALL_TIMEOUT_SECONDS = 20.0
CALLS_PER_ATTEMPT = 3
#: one attempt at one label never takes longer than this (the job enforces it)
ATTEMPT_DEADLINE_SECONDS = CALL_TIMEOUT_SECONDS * CALLS_PER_ATTEMPT
#: a claim lasts well beyond one attempt's worst case, so no other runner re-claims a label still in
#: a runner's hands (each label is claimed alone, just before its provider is called, with a fresh clock)
LEASE_SECONDS = max(email_rules.LEASE_SECONDS, int(ATTEMPT_DEADLINE_SECONDS * 2))

#: error codes (site/messages/returns.py words them)
NO_PROVIDER = "label.no_provider"
NOT_RETRYABLE = "label.not_retryable"
LABEL_NOT_FOUND = "label.not_found"
BAD_PROVIDER = "label.bad_provider"
BAD_CARRIER = "label.bad_carrier"
CREDENTIAL_REQUIRED = "label.credential_required"
CREDENTIAL_TOO_LONG = "label.credential_too_long"
MAX_CREDENTIAL = 200

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 10


def wants_label(method: str, keep_item: bool, status: str) -> bool:
    """An approved return whose items are posted back gets a label (made by the job)."""
    return status == "approved" and method in LABEL_METHODS and not keep_item


def next_attempt(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """After `attempts` failed tries: when to try again (the email outbox's backoff), or None (failed)."""
    return email_rules.next_attempt(attempts, now)


def idempotency_key(return_id: int) -> str:
    """The key every provider call for this return's label carries: the same on every attempt."""
    return f"orderhub-return-label-{return_id}"


def new_reference() -> str:
    """The 着払い slip's reference: 10 letters and digits without look-alikes (O/0, I/1)."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def slip_qr_payload(reference: str, return_number: str) -> str:
    return f"RMA:{return_number}:{reference}"


@dataclass(frozen=True)
class Outcome:
    """What one attempt at a provider came to. `retry`: a timeout, 408/429 or 5xx (try again later);
    otherwise a refusal (4xx) that no retry will change."""

    ok: bool
    retry: bool = False
    error: str = ""


def outcome_of_status(status: int, body: str) -> Outcome:
    if 200 <= status < 300:
        return Outcome(ok=True)
    error = f"HTTP {status}: {body[:300]}"
    return Outcome(ok=False, retry=status in (408, 409, 425, 429) or status >= 500, error=error)


def after_failure(attempts: int, outcome: Outcome, now: dt.datetime) -> tuple[str, dt.datetime]:
    """The row's state and next attempt after a failed try: back off while attempts last, else failed;
    a refusal fails at once (the merchant fixes the account or address and presses "retry now")."""
    retry_at = next_attempt(attempts, now) if outcome.retry else None
    return (PENDING, retry_at) if retry_at is not None else (FAILED, now)


def lowest_rate(rates: list[dict[str, Any]], amount_key: str) -> dict[str, Any] | None:
    """The cheapest rate (amounts are decimal strings: compared as Decimal, never float)."""
    priced = []
    for rate in rates:
        try:
            priced.append((Decimal(str(rate.get(amount_key))), rate))
        except (ValueError, TypeError, ArithmeticError):
            continue
    priced = [p for p in priced if p[0].is_finite() and p[0] >= 0]
    return min(priced, key=lambda p: p[0])[1] if priced else None


# --- the label cost the shopper pays (policy `label_cost`, per method) ----------------------------------


def offers_labels(provider: str) -> bool:
    """The merchant makes labels (EasyPost, Shippo or the 着払い slip): only then is a label charged."""
    return provider in PROVIDERS


def label_cost_minor(policy: dict[str, Any], method: str, currency: str, *, waived: bool,
                     offers_labels: bool) -> int:
    """What the return label costs the shopper for `method` (policy `label_cost`: {method: amount},
    nothing when unset). Nothing when the merchant has no label provider (`offers_labels`: the shopper
    pays the postage and no label is made), for methods without a label, for free methods and whenever
    the return fee is waived (`waived`: the merchant's fault, an exchange, an item kept). The one rule:
    the wizard's method step, the refund breakdown (preview, stored return, email, PDF, API) ask it."""
    if (not offers_labels or method not in LABEL_METHODS or waived
            or method in (policy.get("free_return_methods") or [])):
        return 0
    raw = (policy.get("label_cost") or {}).get(method)
    return money.parse(raw, currency) if raw else 0


def without_label_charge(stored: dict[str, Any]) -> dict[str, Any] | None:
    """A stored refund breakdown (reason_rules.breakdown_json) without its `label` part, for a label
    that failed for good (the refund is not cut for a label never made): the total grows by the
    charge, unless the refund was capped (then the cap takes it). None when nothing was charged."""
    parts = [p for p in stored.get("parts") or [] if isinstance(p, dict)]
    charged = -sum(int(p.get("amount_minor") or 0) for p in parts if p.get("kind") == "label")
    if not charged:
        return None
    kept = [dict(p) for p in parts if p.get("kind") != "label"]
    cap = next((p for p in kept if p.get("kind") == "cap"), None)
    if cap is not None:
        cap["amount_minor"] = int(cap.get("amount_minor") or 0) - charged
        total = int(stored.get("total_minor") or 0)
    else:
        total = int(stored.get("total_minor") or 0) + charged
    return {**stored, "parts": kept, "total_minor": total}


# --- carrier events on the label's parcel ----------------------------------------------------------------

#: carrier statuses that mean the parcel is moving (the return is in transit)
MOVING = ("in_transit", "out_for_delivery", "failed_attempt", "available_for_pickup", "exception")
DELIVERED = "delivered"


def actions_for(status: str) -> tuple[str, ...]:
    """The return's moves a carrier status calls for, in order: moving -> ship; delivered to the
    merchant -> ship then receive. A move already made is skipped by the service (never backwards)."""
    if status == DELIVERED:
        return ("ship", "receive")
    if status in MOVING:
        return ("ship",)
    return ()


def latest_status(events: list[dict[str, Any]]) -> str:
    """The parcel's status by its latest event (occurred_at), as the shipping area decides."""
    if not events:
        return ""
    return str(max(events, key=lambda e: e["occurred_at"])["status"])


# --- the 着払い slip's tracking number (送り状番号), entered by the shopper or the merchant -----------------

#: Yamato, Sagawa and Japan Post (ゆうパック) number their slips with 12 digits, the last a check digit:
#: the first eleven as one number, modulo 7 ("7DR")
SLIP_NUMBER_DIGITS: dict[str, int] = {YAMATO: 12, SAGAWA: 12, JAPAN_POST: 12}
#: what a person may type around the digits (spaces and the hyphens of a printed slip), after NFKC
SLIP_NUMBER_SEPARATORS = frozenset(" -‐‑‒–—―−ー")
#: longer raw input is refused before looking at it
SLIP_NUMBER_MAX_INPUT = 40
SLIP_NUMBER_FIELD = "tracking_number"

SLIP_NUMBER_REQUIRED = "label.slip_number_required"
SLIP_NUMBER_FORMAT = "label.slip_number_format"
SLIP_NUMBER_CHECK = "label.slip_number_check"
SLIP_NUMBER_TAKEN = "label.slip_number_taken"
#: Conflicts: no created 着払い slip on this return, or its parcel is already scanned by the carrier
SLIP_NUMBER_NOT_A_SLIP = "label.slip_number_not_a_slip"
SLIP_NUMBER_LOCKED = "label.slip_number_locked"
#: the return states in which the slip's parcel may still be on its way to the carrier
SLIP_NUMBER_STATES = ("approved", "in_transit")  # returns.rules APPROVED, IN_TRANSIT (it imports this module)


def read_slip_number(carrier: str, raw: object) -> tuple[str, str]:
    """What a person typed -> (the tracking number as digits, "") or ("", error code). Full-width digits
    and the slip's hyphens and spaces are accepted; anything else, a wrong length or a wrong check digit
    is refused (the code says which)."""
    if not isinstance(raw, str) or not raw.strip():
        return "", SLIP_NUMBER_REQUIRED
    if len(raw) > SLIP_NUMBER_MAX_INPUT:
        return "", SLIP_NUMBER_FORMAT
    text = "".join(c for c in unicodedata.normalize("NFKC", raw) if c not in SLIP_NUMBER_SEPARATORS)
    digits = SLIP_NUMBER_DIGITS.get(carrier, 12)
    if len(text) != digits or not (text.isascii() and text.isdigit()):
        return "", SLIP_NUMBER_FORMAT
    if int(text[:-1]) % 7 != int(text[-1]):
        return "", SLIP_NUMBER_CHECK
    return text, ""


def slip_number_editable(provider: str, state: str, tracking_status: str, return_status: str) -> bool:
    """The 着払い slip's tracking number may be entered or changed until the carrier's first event on it."""
    return (provider == JP_SLIP and state == CREATED and not tracking_status
            and return_status in SLIP_NUMBER_STATES)
