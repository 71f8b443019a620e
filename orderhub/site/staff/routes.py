"""The store staff console `/staff`: sign in, the live pickup queue (arrivals with an alert), scan or
type a pickup code, see what to hand over, confirm the hand-over and undo it within a few minutes."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, ServerSentEvent, Template

from orderhub.components.i18n import gettext as _
from orderhub.db import engine
from orderhub.db.errors import Conflict, NotFound
from orderhub.db.merchants.tables import Store
from orderhub.db.pickup import queries, rules, services
from orderhub.site import live
from orderhub.site.api.pickup import announce, store_topic
from orderhub.site.hub.context import base_context, page_language
from orderhub.site.rendering import page, wants_partial
from orderhub.site.staff import auth

CONSOLE = "site/staff/console.html.jinja"
SIGN_IN = "site/staff/sign_in.html.jinja"
DETAIL = "site/staff/pickup.html.jinja"
#: code look-ups per signed-in user in LIMIT_SECONDS (typing mistakes allowed, guessing not)
CODE_ATTEMPTS = 30


def _lang_query(request: Request) -> str:
    lang = request.query_params.get("lang")
    return f"?lang={lang}" if lang in ("ja", "en") else ""


class StaffController(Controller):
    path = "/staff"

    async def _staff(self, request: Request) -> dict | None:
        user = await auth.current_staff(request)
        merchant = user["merchant_row"] if user else None
        page_language(request, None, merchant["locale"] if merchant else None)
        return user

    async def _required(self, request: Request) -> dict:
        user = await self._staff(request)
        if user is None:
            raise NotFoundException()
        return user

    def _sign_in(self, request: Request, *, error: str = "", email: str = "", status_code: int = 200) -> Template:
        return page(request, SIGN_IN, "signin", base_context(request, error=error, email=email,
                                                              lang_q=_lang_query(request)), status_code=status_code)

    async def _console(self, request: Request, user: dict, *, code_error: str = "", code: str = "",
                       status_code: int = 200) -> Template:
        now = request.app.state.clock()
        merchant = user["merchant_row"]
        async with engine.read():
            queue = await queries.store_queue(merchant["id"], user["store_code"], now=now)
            store = await Store.select(Store.name, Store.timezone).where(
                Store.key == f"{merchant['id']}:{user['store_code']}").first()
        context = base_context(
            request, user=user, merchant=merchant, store=store, tz=store["timezone"] if store else merchant["timezone"],
            queue=queue, now=now, code_error=code_error, code=code, lang_q=_lang_query(request),
            undo_minutes=int(rules.UNDO_WINDOW.total_seconds() // 60),
        )
        return page(request, CONSOLE, "queue", context, status_code=status_code)

    @get("/", name="staff")
    async def console(self, request: Request) -> Template:
        user = await self._staff(request)
        if user is None:
            return self._sign_in(request)
        return await self._console(request, user)

    @post("/sign-in", name="staff-sign-in")
    async def sign_in(self, request: Request) -> Template | Redirect:
        page_language(request)
        form = await request.form()
        email = str(form.get("email") or "").strip()[:254]
        password = str(form.get("password") or "")[:1024]
        if not auth.may_try(request, "staff", email):
            return self._sign_in(request, email=email, status_code=429,
                                 error=_("Too many attempts. Please wait a few minutes and try again."))
        user = await auth.authenticate(email, password)
        if user is None or user["role"] != "staff" or not user["store_code"]:
            auth.failed_attempt(request, "staff", email)
            return self._sign_in(request, email=email, status_code=422,
                                 error=_("That e-mail and password don't match a store staff account."))
        response = Redirect(path="/staff" + _lang_query(request), status_code=303)
        return auth.set_session(request, response, user)

    @post("/sign-out", name="staff-sign-out")
    async def sign_out(self, request: Request) -> Redirect:
        return auth.clear_session(request, Redirect(path="/staff" + _lang_query(request), status_code=303))

    @get("/events", name="staff-events")
    async def events(self, request: Request) -> ServerSentEvent:
        user = await self._required(request)
        return live.sse_response(request, [store_topic(user["merchant"], user["store_code"])])

    @post("/find", name="staff-find")
    async def find(self, request: Request) -> Template | Redirect:
        user = await self._required(request)
        form = await request.form()
        code = str(form.get("code") or "")[:64]
        if not auth.limiter(request, "staff_code", CODE_ATTEMPTS).hit(f"user:{user['id']}"):
            return await self._console(request, user, code=code, status_code=429,
                                       code_error=_("Too many codes tried. Please wait a few minutes."))
        try:
            pickup = await services.find_for_staff(user, code)
        except NotFound:
            return await self._console(request, user, code=code, status_code=422,
                                       code_error=_("No pickup with this code at this store."))
        return Redirect(path=f"/staff/pickups/{pickup['id']}" + _lang_query(request), status_code=303)

    async def _detail(self, request: Request, user: dict, pickup_id: int, *, message: str = "", good: bool = False,
                      status_code: int = 200, push: bool = False) -> Template:
        now = request.app.state.clock()
        merchant = user["merchant_row"]
        found = await queries.detail(pickup_id, merchant["id"], user["store_code"])
        if found is None:
            raise NotFoundException()
        async with engine.read():
            store = await Store.select(Store.timezone).where(
                Store.key == f"{merchant['id']}:{user['store_code']}").first()
        context = base_context(
            request, user=user, merchant=merchant, d=found, p=found.pickup, now=now, message=message, good=good,
            tz=store["timezone"] if store else merchant["timezone"], lang_q=_lang_query(request),
            can_undo=rules.can_undo(found.pickup.state, found.pickup.picked_up_at, now),
            collectable=found.pickup.state in rules.COLLECTABLE,
        )
        url = f"/staff/pickups/{pickup_id}" + _lang_query(request)
        return page(request, DETAIL, "detail", context, status_code=status_code, push_url=url if push else None)

    @get("/pickups/{pickup_id:int}", name="staff-pickup")
    async def pickup(self, request: Request, pickup_id: int) -> Template:
        user = await self._required(request)
        return await self._detail(request, user, pickup_id)

    @post("/pickups/{pickup_id:int}/hand-over", name="staff-hand-over")
    async def hand_over(self, request: Request, pickup_id: int) -> Template | Redirect:
        user = await self._required(request)
        try:
            row = await services.hand_over(user, pickup_id, now=request.app.state.clock())
        except NotFound:
            raise NotFoundException() from None
        except Conflict as exc:
            text = _("Already picked up.") if str(exc) == "already picked up" else \
                _("This order can't be handed over: it is not ready for pickup.")
            return await self._detail(request, user, pickup_id, message=text, status_code=409)
        await announce(request, user["merchant"], user["store_code"], row["order"], "picked_up")
        if wants_partial(request):
            return await self._detail(request, user, pickup_id, message=_("Handed over."), good=True, push=True)
        return Redirect(path=f"/staff/pickups/{pickup_id}" + _lang_query(request), status_code=303)

    @post("/pickups/{pickup_id:int}/undo", name="staff-undo")
    async def undo(self, request: Request, pickup_id: int) -> Template | Redirect:
        user = await self._required(request)
        try:
            row = await services.undo_hand_over(user, pickup_id, now=request.app.state.clock())
        except NotFound:
            raise NotFoundException() from None
        except Conflict:
            return await self._detail(request, user, pickup_id, status_code=409,
                                      message=_("This hand-over can no longer be undone."))
        await announce(request, user["merchant"], user["store_code"], row["order"], row["state"])
        if wants_partial(request):
            return await self._detail(request, user, pickup_id, message=_("Hand-over undone."), push=True)
        return Redirect(path=f"/staff/pickups/{pickup_id}" + _lang_query(request), status_code=303)


