"""Integration API for claims (damaged, missing or wrong items): list, read, resolve, photos."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide

from orderhub.db.errors import ValidationFailed
from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns import claims, rules
from orderhub.db.returns.rules import field_error
from orderhub.site.api.auth import api_merchant
from orderhub.site.api.paging import page_param, paged, per_page_param
from orderhub.site.api.returns import MAX_NOTE, PER_PAGE, _body, _text, image_response


class ClaimsApi(Controller):
    path = "/api/v1/claims"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["claims"]

    @get("/", summary="The merchant's claims (damaged, missing or wrong items), oldest first (?status=&page=&per_page=)")
    async def list_claims(self, merchant: Merchant, status: str | None = None, page: str | None = None,
                           per_page: str | None = None) -> dict[str, Any]:
        if status is not None and status not in rules.CLAIM_STATUSES:
            raise ValidationFailed([field_error("status", rules.NOT_A_CHOICE, choices=", ".join(rules.CLAIM_STATUSES))])
        listing = await claims.claims_page(merchant.id, status, page_param(page),
                                           per_page_param(per_page, PER_PAGE))
        return paged("claims", listing, [c.api() for c in listing.items])

    @get("/{claim_id:int}", summary="One claim: items, photo URLs, resolution, timeline")
    async def get_claim(self, merchant: Merchant, claim_id: int) -> dict[str, Any]:
        return (await claims.claim_for_merchant(merchant.id, claim_id)).api()

    @post("/{claim_id:int}/resolve", summary="Resolve a claim by refund, replacement or both", status_code=200)
    async def resolve(self, request: Request, merchant: Merchant, claim_id: int, now: dt.datetime) -> dict[str, Any]:
        await claims.claim_for_merchant(merchant.id, claim_id)  # 404 before anything else
        body = await _body(request)
        resolution = body.get("resolution")
        if resolution not in rules.CLAIM_RESOLUTIONS:
            raise ValidationFailed([field_error("resolution", rules.NOT_A_CHOICE,
                                                choices=", ".join(rules.CLAIM_RESOLUTIONS))])
        note = _text(body, "note", MAX_NOTE)
        view = await claims.resolve(merchant.id, claim_id, resolution, note=note, now=now)
        return view.api()

    @get("/{claim_id:int}/photos/{photo_id:int}", summary="A photo the shopper attached to a claim")
    async def photo(self, merchant: Merchant, claim_id: int, photo_id: int) -> Response:
        data, content_type = await claims.photo_for_merchant(merchant.id, claim_id, photo_id)
        return image_response(data, content_type)
