"""Capability tokens: hub links, API keys. Pure functions, no I/O."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def hub_token(key: bytes, order_key: str, generation: int) -> str:
    """192 bits of HMAC over the order's storage key and its generation: unguessable, unrelated to
    the order number, and revoked by bumping the generation."""
    mac = hmac.new(key, f"hub\x00{order_key}\x00{generation}".encode(), hashlib.sha256).digest()[:24]
    return base64.urlsafe_b64encode(mac).decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return bool(TOKEN_SHAPE.match(token))


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def opens(token: str, key: bytes, order_key: str, generation: int) -> bool:
    """`token` is the current hub token of the order stored under `order_key` (compared in
    constant time); the row was found by `token_hash(token)`."""
    return same(hub_token(key, order_key, generation), token)


def new_api_key() -> str:
    return "ohk_" + secrets.token_urlsafe(32)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)
