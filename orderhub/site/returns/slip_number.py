"""The shopper enters the 着払い slip's tracking number (送り状番号) on the approved return's page:
`POST /o/{token}/returns/{id}/tracking-number` (db/returns/slip_numbers.py).

A plain form gets a 303 back to the return page (`?slip=saved`); under htmx the same POST answers with
the page's `detail` block and pushes its URL. A wrong number → the same block, 422, the message next
to the field; a refusal (no slip, the carrier already has the parcel) → 409 with the reason. CSRF by
the app's config; the hub token opens the order, and the return must be one of its own (the same 404
otherwise)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.urls import href
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.orders.queries import Hub
from orderhub.db.returns import label_rules, slip_numbers
from orderhub.site import form_errors, messages
from orderhub.site.rendering import wants_partial
from orderhub.site.returns import slip_words
from orderhub.site.returns.routes import _detail_page, _view

FIELD = label_rules.SLIP_NUMBER_FIELD


class SlipNumberController(Controller):
    path = "/o/{token:str}/returns/{return_id:int}/tracking-number"

    @get("/", name="return-slip-number-page")
    async def land(self, hub: Hub, return_id: int) -> Redirect:
        """A visitor landing on the form's URL (the language switch of a page answered with errors)."""
        await _view(hub, return_id)
        return Redirect(path=href(f"/o/{hub.token}/returns/{return_id}"), status_code=303)

    @post("/", name="return-slip-number")
    async def save(self, request: Request, hub: Hub, now: dt.datetime, return_id: int) -> Template | Redirect:
        await _view(hub, return_id)  # another order's return: the same 404 as any unknown one
        raw = (await request.form()).get(FIELD)
        value = raw[:label_rules.SLIP_NUMBER_MAX_INPUT] if isinstance(raw, str) else ""
        try:
            await slip_numbers.set_number(hub.order.merchant_id, return_id, raw, now=now, order_id=hub.order.id)
        except ValidationFailed as exc:
            return await _detail_page(request, hub, return_id, now=now, status_code=422,
                                      slip={"errors": form_errors.by_field(exc.errors), "value": value})
        except NotFound:
            raise NotFoundException() from None
        except Conflict as exc:
            return await _detail_page(request, hub, return_id, now=now, status_code=409,
                                      slip={"message": messages.for_error(exc)})
        if wants_partial(request):
            return await _detail_page(request, hub, return_id, now=now, push=True, slip={"done": slip_words.SAVED})
        return Redirect(path=href(f"/o/{hub.token}/returns/{return_id}", slip=slip_words.SAVED), status_code=303)
