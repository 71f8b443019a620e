"""The counter's returns screen `/staff/returns`: scan or type a return's code (its QR), see the items,
reasons and photos, grade each item, receive (and refund at once when the merchant says so), and
undo within the pickup's window. The work is done by orderhub.db.returns.counter; this controller
parses the forms, words the refusals for the clerk and renders."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.errors import Conflict, DomainError, NotFound, ValidationFailed
from orderhub.db.orders import queries as order_queries
from orderhub.db.returns import counter, rules
from orderhub.site import messages
from orderhub.site.api.returns import image_response
from orderhub.site.deps import read_scope
from orderhub.site.hub.context import base_context
from orderhub.site.rendering import page
from orderhub.site.returns import presenter as words
from orderhub.site.staff import auth
from orderhub.site.staff.auth import StaffUser

SCREEN = "site/staff/returns.html.jinja"
DETAIL = "site/staff/return.html.jinja"
#: code look-ups per signed-in user in the limiter's window (shared with the pickup codes)
CODE_ATTEMPTS = 30
#: what a return's QR code starts with (the camera submits only these)
QR_PREFIX = rules.QR_PREFIX
#: the query a finished move lands with (a plain form: 303 to the detail page)
DONE = ("received", "refunded", "undone")


def refusal_text(exc: DomainError) -> str:
    """A refusal worded for the clerk."""
    if exc.code == rules.RETURN_NOT_FOUND:
        return _("No return with this code for this shop.")
    return messages.for_error(exc)


def done_text(done: str) -> str:
    return {"received": _("Received. The return is waiting for the shop's inspection."),
            "refunded": _("Received and refunded. The customer is told by email."),
            "undone": _("Reception undone: the return is as it was before.")}.get(done, "")


def return_url(return_id: int, *parts: str, **query: str | None) -> str:
    return href("/".join([f"/staff/returns/{return_id}", *parts]), **query)


class StaffReturnsController(Controller):
    path = "/staff/returns"
    dependencies = auth.DEPENDENCIES

    async def _screen(self, request: Request, staff: StaffUser, *, code: str = "", code_error: str = "",
                      status_code: int = 200) -> Template:
        found = await counter.screen(staff)
        context = base_context(request, staff=staff, screen=found, code=code, code_error=code_error,
                               qr_prefix=QR_PREFIX, tz=staff.merchant_timezone, w=words)
        return page(request, SCREEN, "lists", context, status_code=status_code)

    async def _detail(self, request: Request, staff: StaffUser, return_id: int, now: dt.datetime, *,
                      message: str = "", good: bool = False, errors: dict[str, str] | None = None,
                      chosen: dict[str, str] | None = None, status_code: int = 200) -> Template:
        try:
            found = await counter.for_clerk(staff, return_id)
        except NotFound:
            raise NotFoundException() from None
        v = found.view
        refusal = v.counter_refusal(staff.store_code)
        if not message and refusal and not v.can_undo_counter(staff.store_code, now):
            message = messages.text(refusal, store=found.store or "")
        context = base_context(
            request, staff=staff, r=found, v=v, now=now, message=message, good=good, errors=errors or {},
            chosen=chosen or {}, can_receive=refusal is None, can_undo=v.can_undo_counter(staff.store_code, now),
            undo_minutes=rules.COUNTER_UNDO_MINUTES, grades=rules.GRADES, tz=staff.merchant_timezone, w=words,
            order_lines=await order_queries.line_words(staff.merchant_id, v.order_id),
        )
        return page(request, DETAIL, "detail", context, status_code=status_code)

    @get("/", name="staff-returns", middleware=[read_scope])
    async def screen(self, request: Request, staff_user: StaffUser) -> Template:
        return await self._screen(request, staff_user)

    @post("/find", name="staff-returns-find")
    async def find(self, request: Request, staff_user: StaffUser) -> Template | Redirect:
        form = await request.form()
        code = str(form.get("code") or "")[:64]
        if not await auth.limiter(request, "staff_code", CODE_ATTEMPTS).hit(f"user:{staff_user.id}"):
            return await self._screen(request, staff_user, code=code, status_code=429,
                                      code_error=_("Too many codes tried. Please wait a few minutes."))
        if not code.strip():
            return await self._screen(request, staff_user, code=code, status_code=422,
                                      code_error=_("Type the code under the customer's QR code."))
        try:
            return_id = await counter.find(staff_user, code)
        except (NotFound, Conflict) as exc:
            return await self._screen(request, staff_user, code=code, status_code=422, code_error=refusal_text(exc))
        return Redirect(path=return_url(return_id), status_code=303)

    @get("/{return_id:int}", name="staff-return", middleware=[read_scope])
    async def detail(self, request: Request, staff_user: StaffUser, return_id: int, now: dt.datetime) -> Template:
        done = request.query_params.get("done", "")
        return await self._detail(request, staff_user, return_id, now, message=done_text(done) if done in DONE else "",
                                  good=done in DONE)

    @post("/{return_id:int}/receive", name="staff-return-receive")
    async def receive(self, request: Request, staff_user: StaffUser, return_id: int,
                      now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        grades = {key.removeprefix("grade_")[:12]: str(form.get(key) or "")[:16]
                  for key in list(form.keys())[:200] if key.startswith("grade_")}
        try:
            view = await counter.receive(staff_user, return_id, grades, now=now)
        except NotFound:
            raise NotFoundException() from None
        except ValidationFailed as exc:
            errors = {e["field"]: messages.text(e["code"]) for e in exc.errors}
            return await self._detail(request, staff_user, return_id, now, errors=errors, chosen=grades,
                                      status_code=422, message=_("Please grade every item."))
        except Conflict as exc:
            return await self._detail(request, staff_user, return_id, now, message=refusal_text(exc), status_code=409)
        done = "refunded" if view.status == rules.REFUNDED else "received"
        return Redirect(path=return_url(return_id, done=done), status_code=303)

    @post("/{return_id:int}/undo", name="staff-return-undo")
    async def undo(self, request: Request, staff_user: StaffUser, return_id: int,
                   now: dt.datetime) -> Template | Redirect:
        try:
            await counter.undo(staff_user, return_id, now=now)
        except NotFound:
            raise NotFoundException() from None
        except Conflict as exc:
            return await self._detail(request, staff_user, return_id, now, message=refusal_text(exc), status_code=409)
        return Redirect(path=return_url(return_id, done="undone"), status_code=303)

    @get("/{return_id:int}/photos/{photo_id:int}", name="staff-return-photo")
    async def photo(self, staff_user: StaffUser, return_id: int, photo_id: int) -> Response:
        try:
            data, content_type = await counter.photo(staff_user, return_id, photo_id)
        except NotFound:
            raise NotFoundException() from None
        return image_response(data, content_type)
