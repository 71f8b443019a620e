"""Helpers for the browser-notification tests: a browser's subscription keys (so a test can decrypt
what the server sent, as the browser would) and subscribing through the hub with CSRF."""

from __future__ import annotations

import base64
import json
import os

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.pickup_support import csrf_of


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Browser:
    """What a browser keeps for one push subscription: its ECDH key pair and auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscription(self) -> dict:
        point = self.private.public_key().public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.private, auth_secret=self.auth, version="aes128gcm"))


async def subscribe(client, token: str, body, *, page: str = "tracking", headers: dict | None = None):
    """POST the subscription as the page's script does (JSON, CSRF header from the page)."""
    html = (await client.get(f"/o/{token}/{page}")).text
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return await client.post(f"/o/{token}/notify/push", content=data,
                             headers={"content-type": "application/json", "x-csrftoken": csrf_of(html),
                                      **(headers or {})})


def vapid_claims(token: str, public_b64: str) -> dict:
    """The claims of a VAPID JWT (ES256) after checking its signature with the server's public key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    def unb64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    head, body, signature = token.split(".")
    raw = unb64(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_b64))
    public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                  f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(unb64(body))
