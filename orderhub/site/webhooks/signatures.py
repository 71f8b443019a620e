"""Webhook signature checks: ours (timestamped HMAC), AfterShip's and EasyPost's documented schemes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata

TOLERANCE_SECONDS = 300
#: unix seconds, as sent: at most 12 ASCII digits (good until the year 33658)
TIMESTAMP = re.compile(r"[0-9]{1,12}")


def same(expected: str, given: str) -> bool:
    """Constant-time comparison that takes any text a client sends (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (X-Orderhub-Signature)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str | None, now_seconds: float) -> bool:
    if not header or len(header) > 1000:
        return False
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    raw = parts.get("t", [""])[0]
    if not TIMESTAMP.fullmatch(raw):  # ASCII digits of a plausible size: no 10^400 (OverflowError), no "١٢٣"
        return False
    timestamp = int(raw)
    if abs(now_seconds - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return any(same(expected, given) for given in parts.get("v1", []))


def aftership_sign(secret: str, body: bytes) -> str:
    """AfterShip Tracking: header `aftership-hmac-sha256` = base64(HMAC-SHA256(raw body, webhook secret))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def aftership_verify(secret: str, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return same(aftership_sign(secret, body), header.strip())


def easypost_sign(secret: str, body: bytes) -> str:
    """EasyPost: header `X-Hmac-Signature` = "hmac-sha256-hex=" + hex HMAC-SHA256 of the raw body with the
    NFKD-normalised webhook secret (as EasyPost's client libraries' validate_webhook do)."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def easypost_verify(secret: str, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return same(easypost_sign(secret, body), header.strip())
