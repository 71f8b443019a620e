"""Provider credentials at rest (channel accounts, label-provider accounts): Fernet (AES-128-CBC +
HMAC-SHA256, from `cryptography`) under a key derived from the secret key with HKDF-SHA256, one key
per purpose (`info`). A changed secret key makes the stored credentials unreadable: they read as
empty (the merchant enters them again), never as garbage."""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def fernet(secret_key: str, info: bytes) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret_key: str, values: dict[str, str], *, info: bytes) -> str:
    if not values:
        return ""
    return fernet(secret_key, info).encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(secret_key: str, token: str, *, info: bytes) -> dict[str, str]:
    if not token:
        return {}
    try:
        data = json.loads(fernet(secret_key, info).decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
