"""Channel credentials at rest: the shared vault (`orderhub/db/vault.py`) under this purpose's key."""

from __future__ import annotations

from cryptography.fernet import Fernet

from orderhub.db import vault

INFO = b"orderhub channel credentials v1"


def fernet(secret_key: str) -> Fernet:
    return vault.fernet(secret_key, INFO)


def seal(secret_key: str, values: dict[str, str]) -> str:
    return vault.seal(secret_key, values, info=INFO)


def unseal(secret_key: str, token: str) -> dict[str, str]:
    return vault.unseal(secret_key, token, info=INFO)
