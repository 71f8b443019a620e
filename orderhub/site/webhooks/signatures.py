"""Webhook signature checks: ours (timestamped HMAC), AfterShip's and EasyPost's documented schemes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata

TOLERANCE_SECONDS = 300


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
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    if abs(now_seconds - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


def aftership_sign(secret: str, body: bytes) -> str:
    """AfterShip Tracking: header `aftership-hmac-sha256` = base64(HMAC-SHA256(raw body, webhook secret))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def aftership_verify(secret: str, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return hmac.compare_digest(aftership_sign(secret, body), header.strip())


def easypost_sign(secret: str, body: bytes) -> str:
    """EasyPost: header `X-Hmac-Signature` = "hmac-sha256-hex=" + hex HMAC-SHA256 of the raw body with the
    NFKD-normalised webhook secret (as EasyPost's client libraries' validate_webhook do)."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def easypost_verify(secret: str, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return hmac.compare_digest(easypost_sign(secret, body), header.strip())
