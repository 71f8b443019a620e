"""The merchant's email outbox over the integration API: list (e.g. the dead letters) and retry."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter

from orderhub.db.emails import queries, rules, services
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.merchants.tables import Merchant
from orderhub.emails.render import from_address
from orderhub.site.api.auth import api_merchant


def message_json(row: dict, from_address: str) -> dict[str, Any]:
    return {
        "id": str(row["id"]), "event": row["event"], "kind": row["kind"], "to": row["recipient"],
        "locale": row["locale"], "state": row["state"], "attempts": row["attempts"],
        "order_number": row.get("order_number") or None, "order_id": row.get("order_external_id") or None,
        "message_id": rules.message_id_header(row["message_id"], from_address), "last_error": row["last_error"] or None,
        "created_at": row["created_at"].isoformat(),
        "next_attempt_at": row["next_attempt_at"].isoformat() if row["state"] in ("pending", "sending") else None,
        "sent_at": row["sent_at"].isoformat() if row["sent_at"] else None,
    }


def _id(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise NotFound("email")
    return int(value)


class EmailsApi(Controller):
    path = "/api/v1/emails"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["emails"]

    @get("/", summary="The merchant's email outbox, newest first (state=pending|sending|sent|dead|suppressed|skipped)")
    async def list_messages(self, request: Request, merchant: Merchant,
                            wanted: str | None = Parameter(query="state", default=None)) -> dict[str, Any]:
        state = wanted
        if state is not None and state not in queries.STATES:
            raise ValidationFailed([{"field": "state", "message": f"must be one of {', '.join(queries.STATES)}"}])
        rows = await queries.messages(merchant.id, state=state)
        sender = from_address(request.app.state.settings)
        return {"emails": [message_json(r, sender) for r in rows]}

    @post("/{message_id:str}/retry", summary="Send a dead (or suppressed, skipped) email again now", status_code=200)
    async def retry(self, request: Request, merchant: Merchant, message_id: str) -> dict[str, Any]:
        row = await services.retry(merchant.id, _id(message_id), now=request.app.state.clock())
        found = await queries.messages(merchant.id, ids=[row["id"]])
        return message_json(found[0], from_address(request.app.state.settings))
