"""Integration API for returns (CONTRACT.md): the merchant's return requests and their moves."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide

from orderhub.db.errors import ValidationFailed
from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns import queries, rules, services
from orderhub.site.api.auth import api_merchant, json_body

MAX_NOTE = 1000


async def _note(request: Request) -> str:
    raw = await request.body()
    if not raw.strip():
        return ""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ValidationFailed([{"field": "body", "message": "must be an object such as {\"note\": \"...\"}"}])
    note = body.get("note", "")
    if note is None:
        return ""
    if not isinstance(note, str):
        raise ValidationFailed([{"field": "note", "message": "must be a string"}])
    if len(note) > MAX_NOTE:
        raise ValidationFailed([{"field": "note", "message": f"must be at most {MAX_NOTE} characters"}])
    return note.strip()


class ReturnsApi(Controller):
    path = "/api/v1"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["returns"]

    @get("/returns", summary="The merchant's return requests")
    async def list_returns(self, merchant: Merchant, status: str | None = None) -> dict[str, Any]:
        if status is not None and status not in rules.STATUSES:
            raise ValidationFailed([{"field": "status", "message": "must be one of " + ", ".join(rules.STATUSES)}])
        views = await queries.returns_for_merchant(merchant.id, status)
        return {"returns": [v.api() for v in views]}

    @get("/returns/{return_id:int}", summary="One return request")
    async def get_return(self, merchant: Merchant, return_id: int) -> dict[str, Any]:
        return (await queries.return_for_merchant(merchant.id, return_id)).api()

    async def _move(self, request: Request, merchant: Merchant, return_id: int, action: str) -> dict[str, Any]:
        note = await _note(request)
        view = await services.transition(merchant.id, return_id, action, note=note, now=request.app.state.clock())
        return view.api()

    @post("/returns/{return_id:int}/approve", summary="Approve a return request", status_code=200)
    async def approve(self, request: Request, merchant: Merchant, return_id: int) -> dict[str, Any]:
        return await self._move(request, merchant, return_id, "approve")

    @post("/returns/{return_id:int}/reject", summary="Reject a return request", status_code=200)
    async def reject(self, request: Request, merchant: Merchant, return_id: int) -> dict[str, Any]:
        return await self._move(request, merchant, return_id, "reject")

    @post("/returns/{return_id:int}/receive", summary="Record that the items arrived", status_code=200)
    async def receive(self, request: Request, merchant: Merchant, return_id: int) -> dict[str, Any]:
        return await self._move(request, merchant, return_id, "receive")

    @post("/returns/{return_id:int}/refund", summary="Refund (or credit) a received return", status_code=200)
    async def refund(self, request: Request, merchant: Merchant, return_id: int) -> dict[str, Any]:
        return await self._move(request, merchant, return_id, "refund")
