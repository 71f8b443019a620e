"""Errors that services raise and the web layer turns into 4xx answers."""

from orderhub.db.validation import ValidationFailed  # noqa: F401  (re-exported)


class NotFound(Exception):
    """The object does not exist for this merchant (or the token opens nothing)."""


class Conflict(Exception):
    """The object's state does not allow this change."""
