"""Channel credentials at rest: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key
derived from the secret key with HKDF-SHA256 for this one purpose. A changed secret key makes the
stored credentials unreadable: they read as empty (the merchant enters them again), never as garbage."""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"orderhub channel credentials v1"


def fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret_key: str, values: dict[str, str]) -> str:
    if not values:
        return ""
    return fernet(secret_key).encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(secret_key: str, token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        data = json.loads(fernet(secret_key).decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
