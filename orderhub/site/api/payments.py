"""Integration API for payments (docs/api.md): the storefront moves an order's payment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, put
from litestar.di import Provide

from orderhub.db.merchants.tables import Merchant
from orderhub.db.payments import services
from orderhub.site.api.auth import api_merchant, json_body
from orderhub.site.api.openapi import takes


class PaymentsApi(Controller):
    path = "/api/v1"
    dependencies = {"merchant": Provide(api_merchant)}
    tags = ["payments"]

    @put("/orders/{external_id:str}/payment", summary="Move an order's payment (pending, paid, refunded, ...)",
         status_code=200, operation_class=takes("payment"))
    async def put_payment(self, request: Request, merchant: Merchant, external_id: str,
                          now: dt.datetime) -> dict[str, Any]:
        """Idempotent: the same body again changes nothing and announces nothing. A move the payment's
        states do not allow (paid -> pending) and any bad field -> 422 with the field."""
        payment = await services.set_payment(merchant.id, external_id, await json_body(request), now=now)
        return payment.as_json()
