"""Bearer API keys: the merchant a request speaks for, and JSON bodies read strictly."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from orderhub.db.errors import ValidationFailed
from orderhub.db.merchants.services import merchant_for_api_key
from orderhub.db.merchants.tables import Merchant


async def api_merchant(request: Request) -> Merchant:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise NotAuthorizedException("missing API key: send Authorization: Bearer <api_key>")
    merchant = await merchant_for_api_key(key.strip())
    if merchant is None:
        raise NotAuthorizedException("unknown or revoked API key")
    return merchant


async def json_body(request: Request) -> Any:
    """The request's JSON; 422 with a field path for anything that is not JSON."""
    raw = await request.body()
    if not raw.strip():
        raise ValidationFailed([{"field": "body", "message": "is required (JSON)"}])
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ValidationFailed([{"field": "body", "message": "is not valid JSON"}]) from None


def _reject_constant(text: str) -> None:
    raise ValueError(text)
