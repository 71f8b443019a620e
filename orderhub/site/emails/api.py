"""The merchant's email outbox over the integration API: list (e.g. the dead letters) and retry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter

from orderhub.db.emails import queries, rules, services
from orderhub.db.emails.queries import EmailView
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.merchants.tables import Merchant
from orderhub.db.validation import is_digits
from orderhub.emails.render import from_address
from orderhub.site.api.auth import api_merchant


def message_json(view: EmailView, from_address: str) -> dict[str, Any]:
    return {
        "id": str(view.id), "event": view.event, "kind": view.kind, "to": view.recipient,
        "locale": view.locale, "state": view.state, "attempts": view.attempts,
        "order_number": view.order_number or None, "order_id": view.order_external_id or None,
        "message_id": rules.message_id_header(view.message_id, from_address), "last_error": view.last_error or None,
        "created_at": view.created_at.isoformat(),
        "next_attempt_at": view.next_attempt_at.isoformat() if view.waiting else None,
        "sent_at": view.sent_at.isoformat() if view.sent_at else None,
    }


def _id(value: str) -> int:
    if not is_digits(value) or len(value) > 18:
        raise NotFound(rules.NOT_FOUND, "email not found")
    return int(value)


class EmailsApi(Controller):
    path = "/api/v1/emails"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["emails"]

    @get("/", summary="The merchant's email outbox, newest first (state=pending|sending|sent|dead|suppressed|skipped)")
    async def list_messages(self, request: Request, merchant: Merchant,
                            wanted: str | None = Parameter(query="state", default=None)) -> dict[str, Any]:
        state = wanted
        if state is not None and state not in rules.STATES:
            raise ValidationFailed([{"field": "state", "message": f"must be one of {', '.join(rules.STATES)}"}])
        rows = await queries.messages(merchant.id, state=state)
        sender = from_address(request.app.state.settings)
        return {"emails": [message_json(r, sender) for r in rows]}

    @post("/{message_id:str}/retry", summary="Send a dead (or suppressed, skipped) email again now", status_code=200)
    async def retry(self, request: Request, merchant: Merchant, now: dt.datetime, message_id: str) -> dict[str, Any]:
        view = await services.retry(merchant.id, _id(message_id), now=now)
        return message_json(view, from_address(request.app.state.settings))
