"""The shopper's home pickup of an approved return: book, reschedule, cancel
(`/o/{token}/returns/{id}/pickup…`). POSTs only; the card lives on the return page.

A plain form gets a 303 back to the return page (`?pickup=booked|rescheduled|cancelled`); under htmx
the same POST answers with the page's `detail` block and pushes its URL. A field error → the same
block, 422, the message next to the field; a refusal (after the cut-off, not bookable) → 409 with
the reason on the card. CSRF by the app's config; the hub token opens the order, and the return must
be one of its own (the same 404 otherwise)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.urls import href
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.orders.queries import Hub
from orderhub.db.returns import home_pickup
from orderhub.site import form_errors, messages
from orderhub.site.deps import provide_now
from orderhub.site.rendering import wants_partial
from orderhub.site.returns.routes import _detail_page, _view


def _form(raw: Any) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != "_csrf_token" and isinstance(v, str)}


class HomePickupController(Controller):
    path = "/o/{token:str}/returns/{return_id:int}/pickup"

    async def _done(self, request: Request, hub: Hub, return_id: int, done: str) -> Template | Redirect:
        if wants_partial(request):
            return await _detail_page(request, hub, return_id, now=provide_now(request), push=True, done=done)
        return Redirect(path=href(f"/o/{hub.token}/returns/{return_id}", pickup=done), status_code=303)

    async def _act(self, request: Request, hub: Hub, now: dt.datetime, return_id: int, action: str) -> Template | Redirect:
        await _view(hub, return_id)  # another order's return: the same 404 as any unknown one
        form = _form(await request.form()) if action != "cancel" else {}
        try:
            if action == "book":
                await home_pickup.book(hub.order.id, return_id, form, now=now)
            elif action == "reschedule":
                await home_pickup.reschedule(hub.order.id, return_id, form, now=now)
            else:
                await home_pickup.cancel(hub.order.id, return_id, now=now)
        except ValidationFailed as exc:
            return await _detail_page(request, hub, return_id, now=now, status_code=422,
                                      errors=form_errors.by_field(exc.errors), values=form)
        except NotFound:
            raise NotFoundException() from None
        except Conflict as exc:
            return await _detail_page(request, hub, return_id, now=now, status_code=409, message=messages.for_error(exc))
        return await self._done(request, hub, return_id, {"book": "booked", "reschedule": "rescheduled"}.get(
            action, "cancelled"))

    @get(["/", "/reschedule", "/cancel"], name="return-pickup-page")
    async def land(self, hub: Hub, return_id: int) -> Redirect:
        """A visitor landing on a form's URL (the language switch of a page answered with errors) is
        sent to the return page."""
        await _view(hub, return_id)
        return Redirect(path=href(f"/o/{hub.token}/returns/{return_id}"), status_code=303)

    @post("/", name="return-pickup-book")
    async def book(self, request: Request, hub: Hub, now: dt.datetime, return_id: int) -> Template | Redirect:
        return await self._act(request, hub, now, return_id, "book")

    @post("/reschedule", name="return-pickup-reschedule")
    async def reschedule(self, request: Request, hub: Hub, now: dt.datetime, return_id: int) -> Template | Redirect:
        return await self._act(request, hub, now, return_id, "reschedule")

    @post("/cancel", name="return-pickup-cancel")
    async def cancel(self, request: Request, hub: Hub, now: dt.datetime, return_id: int) -> Template | Redirect:
        return await self._act(request, hub, now, return_id, "cancel")
