"""Validation errors ({"field", "code", "message", "params"}) as sentences a person reads next to
a form field, in the page's language: the code picks the catalog message (orderhub.site.messages),
the params fill it in. One helper for every form built on the validators (db/validation.Reader
and the areas' validate_* functions); nothing here reads the English message's words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from orderhub.components.i18n import gettext as _
from orderhub.site import messages


def message(error: Mapping[str, Any]) -> str:
    """One error as a translated sentence."""
    code = error.get("code") or ""
    if code in messages.TABLE:
        return messages.text(code, **(error.get("params") or {}))
    # TRANSITIONAL: an error in the old shape ({"field", "message"}, code validation.invalid) still
    # carries its msgid as the message; removed once every validator names its codes
    return _(error.get("message") or messages.FALLBACK)


def by_field(errors: Iterable[Mapping[str, Any]], *, strip: str = "") -> dict[str, str]:
    """[{"field": "support.email", "code": ..., ...}] -> {"email": "Enter an email address ..."}
    (the first error per field; `strip` drops a path prefix such as "support.")."""
    out: dict[str, str] = {}
    for error in errors:
        field = error["field"]
        name = field[len(strip):] if strip and field.startswith(strip) else field
        out.setdefault(name, message(error))
    return out
