"""What a refusal says to a person: stable error codes (raised by services as
`orderhub.db.errors.DomainError` / validation errors) mapped to catalog messages, translated at
the moment they are shown, in the page's language. One table per area, merged here explicitly.

Each area's table maps a code to an English msgid; `%(name)s` placeholders take the error's
params. An unknown code falls back to a generic sentence, never to the English API message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orderhub.components.i18n import gettext as _
from orderhub.components.shop_texts import named
from orderhub.db import texts
from orderhub.site.messages import (
    admin,
    cancel,
    changes,
    documents,
    exchange,
    feedback,
    home_pickup,
    notify,
    orders,
    pickup,
    returns,
    shipping,
    validation,
)

TABLE: Mapping[str, str] = {
    **validation.MESSAGES,
    **orders.MESSAGES,
    **shipping.MESSAGES,
    **pickup.MESSAGES,
    **returns.MESSAGES,
    **exchange.MESSAGES,
    **feedback.MESSAGES,
    **admin.MESSAGES,
    **documents.MESSAGES,
    **changes.MESSAGES,
    **cancel.MESSAGES,
    **notify.MESSAGES,
    **home_pickup.MESSAGES,
}

FALLBACK = "That can't be done right now. Please reload the page and try again."


def text(code: str, **params: Any) -> str:
    """The sentence for `code`, in the current request's language."""
    msgid = TABLE.get(code)
    if msgid is None:
        return _(FALLBACK)
    if not params:
        return _(msgid)
    return _(msgid, **{name: named(v) if isinstance(v, texts.Named) else v for name, v in params.items()})


def for_error(exc: Any) -> str:
    """The sentence for a DomainError (or anything with `code` and `params`)."""
    return text(getattr(exc, "code", ""), **getattr(exc, "params", {}))
