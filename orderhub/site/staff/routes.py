"""The store staff console `/staff`: sign in, the live pickup queue (arrivals with an alert), scan or
type a pickup code, see what to hand over, confirm the hand-over and undo it within a few minutes.

The signed-in staff member comes from dependency injection (`staff_user`, `optional_staff_user`:
orderhub.site.staff.auth), the time from `now` (orderhub.site.deps)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, ServerSentEvent, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.errors import Conflict, DomainError, NotFound
from orderhub.db.orders import queries as order_queries
from orderhub.db.pickup import queries, rules, services
from orderhub.db.returns import counter
from orderhub.db.returns import rules as return_rules
from orderhub.site import live, messages
from orderhub.site.api.pickup import announce, store_topic
from orderhub.site.deps import read_scope
from orderhub.site.hub.context import base_context, page_language
from orderhub.site.messages import pickup as pickup_messages
from orderhub.site.rendering import page, wants_partial
from orderhub.site.staff import auth
from orderhub.site.staff import returns as staff_returns
from orderhub.site.staff.auth import StaffUser

CONSOLE = "site/staff/console.html.jinja"
SIGN_IN = "site/staff/sign_in.html.jinja"
DETAIL = "site/staff/pickup.html.jinja"
#: code look-ups per signed-in user in LIMIT_SECONDS (typing mistakes allowed, guessing not)
CODE_ATTEMPTS = 30


def refusal_text(exc: DomainError) -> str:
    """A refusal worded for the clerk (messages.pickup.STAFF), otherwise as on every page."""
    msgid = pickup_messages.STAFF.get(exc.code)
    return _(msgid, **exc.params) if msgid else messages.for_error(exc)


#: the query a scan of an already handed-over pickup lands with (a genuine second attempt)
SCANNED_AGAIN = "again"


def _pickup_url(pickup_id: int | None, *, scanned_again: bool = False) -> str:
    return href(f"/staff/pickups/{pickup_id}", scan=SCANNED_AGAIN if scanned_again else None)


class StaffController(Controller):
    path = "/staff"
    dependencies = auth.DEPENDENCIES

    def _sign_in(self, request: Request, *, error: str = "", email: str = "", status_code: int = 200) -> Template:
        return page(request, SIGN_IN, "signin", base_context(request, error=error, email=email),
                    status_code=status_code)

    async def _console(self, request: Request, staff: StaffUser, now: dt.datetime, *, code_error: str = "",
                       code: str = "", status_code: int = 200) -> Template:
        queue = await queries.store_queue(staff.merchant_id, staff.store_code, now=now)
        context = base_context(
            request, staff=staff, queue=queue, tz=queue.timezone or staff.merchant_timezone, now=now,
            code_error=code_error, code=code, undo_minutes=rules.UNDO_MINUTES,
            qr_prefix=f"{rules.QR_PREFIX} {staff_returns.QR_PREFIX}",
        )
        return page(request, CONSOLE, "queue", context, status_code=status_code)

    @get("/", name="staff", middleware=[read_scope])
    async def console(self, request: Request, optional_staff_user: StaffUser | None, now: dt.datetime) -> Template:
        if optional_staff_user is None:
            return self._sign_in(request)
        return await self._console(request, optional_staff_user, now)

    @post("/sign-in", name="staff-sign-in")
    async def sign_in(self, request: Request) -> Template | Redirect:
        page_language(request)
        form = await request.form()
        email = str(form.get("email") or "").strip()[:254]
        password = str(form.get("password") or "")[:1024]
        if not await auth.may_try(request, "staff", email):
            return self._sign_in(request, email=email, status_code=429,
                                 error=_("Too many attempts. Please wait a few minutes and try again."))
        user = await auth.authenticate(email, password)
        if user is None or not auth.is_staff(user):
            await auth.failed_attempt(request, "staff", email)
            return self._sign_in(request, email=email, status_code=422,
                                 error=_("That e-mail and password don't match a store staff account."))
        return await auth.set_session(request, Redirect(path=href("/staff"), status_code=303), user)

    @post("/sign-out", name="staff-sign-out")
    async def sign_out(self, request: Request) -> Redirect:
        page_language(request)
        return await auth.clear_session(request, Redirect(path=href("/staff"), status_code=303))

    @get("/events", name="staff-events")
    async def events(self, request: Request, staff_user: StaffUser) -> ServerSentEvent:
        return live.sse_response(request, [store_topic(staff_user.merchant_id, staff_user.store_code)])

    @post("/find", name="staff-find")
    async def find(self, request: Request, staff_user: StaffUser, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        code = str(form.get("code") or "")[:64]
        if not await auth.limiter(request, "staff_code", CODE_ATTEMPTS).hit(f"user:{staff_user.id}"):
            return await self._console(request, staff_user, now, code=code, status_code=429,
                                       code_error=_("Too many codes tried. Please wait a few minutes."))
        if return_rules.looks_like_return_code(code):  # a return's QR at the pickup screen: its own screen
            try:
                return_id = await counter.find(staff_user, code)
            except (NotFound, Conflict) as exc:
                return await self._console(request, staff_user, now, code=code, status_code=422,
                                           code_error=staff_returns.refusal_text(exc))
            return Redirect(path=staff_returns.return_url(return_id), status_code=303)
        try:
            pickup = await services.find_for_staff(staff_user, code)
        except NotFound as exc:
            return await self._console(request, staff_user, now, code=code, status_code=422,
                                       code_error=refusal_text(exc))
        return Redirect(path=_pickup_url(pickup.id, scanned_again=pickup.is_picked_up), status_code=303)

    async def _detail(self, request: Request, staff: StaffUser, pickup_id: int, now: dt.datetime, *,
                      message: str = "", good: bool = False, status_code: int = 200, push: bool = False,
                      scanned_again: bool = False) -> Template:
        found = await queries.detail(pickup_id, staff.merchant_id, staff.store_code)
        if found is None:
            raise NotFoundException()
        if scanned_again and found.pickup.is_picked_up and not message:
            message = refusal_text(rules.IllegalMove("pickup.already_picked_up", "already picked up"))
        context = base_context(
            request, staff=staff, d=found, p=found.pickup, now=now, message=message, good=good,
            tz=found.timezone or staff.merchant_timezone, store_name=found.store_name or staff.merchant_name,
            order_lines=await order_queries.line_words(staff.merchant_id, found.pickup.order_id),
        )
        return page(request, DETAIL, "detail", context, status_code=status_code,
                    push_url=_pickup_url(pickup_id) if push else None)

    @get("/pickups/{pickup_id:int}", name="staff-pickup", middleware=[read_scope])
    async def pickup(self, request: Request, staff_user: StaffUser, pickup_id: int, now: dt.datetime) -> Template:
        again = request.query_params.get("scan") == SCANNED_AGAIN
        return await self._detail(request, staff_user, pickup_id, now, scanned_again=again)

    @post("/pickups/{pickup_id:int}/hand-over", name="staff-hand-over")
    async def hand_over(self, request: Request, staff_user: StaffUser, pickup_id: int,
                        now: dt.datetime) -> Template | Redirect:
        try:
            pickup = await services.hand_over(staff_user, pickup_id, now=now)
        except NotFound:
            raise NotFoundException() from None
        except Conflict as exc:
            return await self._detail(request, staff_user, pickup_id, now, message=refusal_text(exc),
                                      status_code=409)
        await announce(request, pickup)
        if wants_partial(request):
            return await self._detail(request, staff_user, pickup_id, now, message=_("Handed over."), good=True,
                                      push=True)
        return Redirect(path=_pickup_url(pickup_id), status_code=303)

    @post("/pickups/{pickup_id:int}/undo", name="staff-undo")
    async def undo(self, request: Request, staff_user: StaffUser, pickup_id: int,
                   now: dt.datetime) -> Template | Redirect:
        try:
            pickup = await services.undo_hand_over(staff_user, pickup_id, now=now)
        except NotFound:
            raise NotFoundException() from None
        except Conflict as exc:
            return await self._detail(request, staff_user, pickup_id, now, message=refusal_text(exc),
                                      status_code=409)
        await announce(request, pickup)
        if wants_partial(request):
            return await self._detail(request, staff_user, pickup_id, now, message=_("Hand-over undone."),
                                      push=True)
        return Redirect(path=_pickup_url(pickup_id), status_code=303)
