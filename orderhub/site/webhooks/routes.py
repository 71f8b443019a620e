"""Signed carrier webhooks: ours (`X-Orderhub-Signature`), AfterShip's and EasyPost's.

A bad or missing signature, a timestamp more than 300 s away, or an unknown merchant -> 401 and
nothing stored. Provider adapters answer 200 for parcels we do not know (so the provider does not
retry forever); our own endpoint answers 404 like the API, so a sender retries after the shipment PUT.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.exceptions import NotAuthorizedException

from orderhub.db import engine
from orderhub.db.errors import NotFound, ValidationFailed
from orderhub.db.merchants.tables import Merchant
from orderhub.db.returns import label_jobs
from orderhub.site.api.tracking import announce
from orderhub.site.webhooks import adapters, signatures


async def _secret(slug: str) -> tuple[int, str]:
    if not (0 < len(slug) <= 64):
        raise NotAuthorizedException("invalid signature")
    async with engine.read():
        row = await Merchant.select(Merchant.id, Merchant.webhook_secret).where(Merchant.slug == slug).first()
    if row is None or not row["webhook_secret"]:
        raise NotAuthorizedException("invalid signature")
    return row["id"], row["webhook_secret"]


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ValidationFailed([{"field": "body", "message": "is not valid JSON"}]) from None


class TrackingWebhooks(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @post("/tracking/{merchant_slug:str}", summary="Carrier events signed with the merchant's webhook secret",
          status_code=202)
    async def tracking(self, request: Request, merchant_slug: str, now: dt.datetime) -> Response[dict[str, Any]]:
        merchant_id, secret = await _secret(merchant_slug)
        raw = await request.body()
        if not signatures.verify(secret, raw, request.headers.get("x-orderhub-signature"), now.timestamp()):
            raise NotAuthorizedException("invalid or expired signature")
        result = await label_jobs.ingest_events(merchant_id, _json(raw), source="webhook", now=now)
        await announce(request, result.orders)
        return Response(result.as_json(), status_code=202)

    @post("/aftership/{merchant_slug:str}", summary="AfterShip tracking webhook", status_code=200)
    async def aftership(self, request: Request, merchant_slug: str, now: dt.datetime) -> Response[dict[str, Any]]:
        merchant_id, secret = await _secret(merchant_slug)
        raw = await request.body()
        if not signatures.aftership_verify(secret, raw, request.headers.get("aftership-hmac-sha256")):
            raise NotAuthorizedException("invalid signature")
        return await _ingest(request, merchant_id, adapters.from_aftership(_json(raw)), "aftership", now)

    @post("/easypost/{merchant_slug:str}", summary="EasyPost tracker webhook", status_code=200)
    async def easypost(self, request: Request, merchant_slug: str, now: dt.datetime) -> Response[dict[str, Any]]:
        merchant_id, secret = await _secret(merchant_slug)
        raw = await request.body()
        if not signatures.easypost_verify(secret, raw, request.headers.get("x-hmac-signature")):
            raise NotAuthorizedException("invalid signature")
        return await _ingest(request, merchant_id, adapters.from_easypost(_json(raw)), "easypost", now)


async def _ingest(request: Request, merchant_id: int, body: dict | None, source: str, now: dt.datetime) -> Response:
    """A provider's events: parcels we do not know are acknowledged (200) so the provider stops retrying."""
    if body is None:  # another kind of event (batch, label, ...): nothing for tracking
        return Response({"accepted": 0, "duplicates": 0, "ignored": True}, status_code=200)
    try:
        result = await label_jobs.ingest_events(merchant_id, body, source=source, now=now)
    except NotFound:
        return Response({"accepted": 0, "duplicates": 0, "ignored": True}, status_code=200)
    await announce(request, result.orders)
    return Response(result.as_json(), status_code=200)
