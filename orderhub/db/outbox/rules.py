"""Pure decisions for outbound webhooks: signatures, retry schedule, endpoint URLs."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import urlsplit

# --- refusals: stable codes (the API answers the English; pages map the code to a catalog message) -

ENDPOINT_NOT_FOUND = "webhook.endpoint_not_found"
DELIVERY_NOT_FOUND = "webhook.delivery_not_found"
BAD_URL = "webhook.bad_url"
INTERNAL_URL = "webhook.internal_url"

# --- a delivery's life (WebhookDelivery.state) ---------------------------------------------------

PENDING, SENDING, DELIVERED, DEAD = "pending", "sending", "delivered", "dead"
#: taken back before it went out: what it announced was undone (db/outbox/withdraw.py)
WITHDRAWN = "withdrawn"
#: pending -> sending -> delivered | pending (retry) | dead; pending -> withdrawn
STATES = (PENDING, SENDING, DELIVERED, DEAD, WITHDRAWN)
#: what the merchant may send again at once (a dead one, or one waiting for its next try)
RETRYABLE = (DEAD, PENDING)

MAX_ATTEMPTS = 8
#: sends to one endpoint at once (per process), and the most one send may take
PER_ENDPOINT = 2
DELIVERY_TIMEOUT_SECONDS = 10.0
#: what the log says about any failure to reach the endpoint (no port states, no DNS details)
GENERIC_ERROR = "could not deliver"
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 6 * 3600


def signature_header(secret: str, body: bytes, now: dt.datetime) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">` — the same scheme orderhub
    verifies on carrier webhooks, so merchants verify ours with the code they already have."""
    t = int(now.timestamp())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, body: bytes, header: str, now: dt.datetime, tolerance_seconds: int = 300) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if not re.fullmatch(r"[0-9]{1,12}", parts.get("t", "")):  # no 10^400 (OverflowError), no non-ASCII digits
        return False
    t = int(parts["t"])
    if abs(now.timestamp() - t) > tolerance_seconds:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), parts.get("v1", "").encode("utf-8", "replace"))


def next_attempt(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """When to try again after `attempts` failed tries (exponential backoff); None: give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), MAX_RETRY_SECONDS)
    return now + dt.timedelta(seconds=delay)


def body(event_id: str, event: str, payload: dict[str, Any], created_at: dt.datetime) -> bytes:
    return json.dumps({"id": event_id, "type": event, "created_at": created_at.isoformat(), "data": payload},
                      separators=(",", ":"), sort_keys=True, default=str).encode()


def endpoint_url_ok(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("https", "http") and bool(parts.hostname) and not any(c in url for c in " \"'<>\\")


def wants(events: list[str], event: str) -> bool:
    return "*" in events or event in events or any(e.endswith(".*") and event.startswith(e[:-1]) for e in events)
