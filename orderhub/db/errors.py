"""Errors that services raise and the web layer turns into 4xx answers.

Every error carries a stable `code` (such as ``"pickup.closed"``), an optional field path and the
parameters its sentence needs. The English `message` is what the integration API answers; pages
never show it: they map the code to a catalog message in the visitor's language
(`orderhub.site.messages`). No code anywhere matches the English text.
"""

from __future__ import annotations

from typing import Any

from orderhub.db.validation import ValidationFailed

__all__ = ["Busy", "DomainError", "NotFound", "Conflict", "ValidationFailed"]


class Busy(Exception):
    """The server cannot take this now (the database is locked, every decoding slot is taken):
    answered 503 with Retry-After, never 500; the same request may simply be sent again."""

    def __init__(self, retry_after: int = 2) -> None:
        self.retry_after = retry_after
        super().__init__("busy")


class DomainError(Exception):
    """A refusal a caller can act on. `code` is stable; `message` is English for the API."""

    default_code = "error"

    def __init__(self, code: str | None = None, message: str = "", *, field: str = "", **params: Any) -> None:
        self.code = code or self.default_code
        self.message = message or self.code
        self.field = field
        self.params = params
        super().__init__(self.message)

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message}


class NotFound(DomainError):
    """The object does not exist for this merchant (or the token opens nothing)."""

    default_code = "not_found"


class Conflict(DomainError):
    """The object's state does not allow this change."""

    default_code = "conflict"
