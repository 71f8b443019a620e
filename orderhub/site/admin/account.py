"""Signing in to the merchant admin, signing out, the team page (owners invite and disable people)
and accepting an invitation."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from orderhub.components import form_errors
from orderhub.components.i18n import gettext as _
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.merchants import team as team_db
from orderhub.site.admin import nav
from orderhub.site.admin.guard import admin_context, current_admin, require_admin, safe_next
from orderhub.site.auth import ADMIN, authenticate, failed_attempt, may_try
from orderhub.site.hub.context import base_context, lang_query, page_language
from orderhub.site.rendering import page

SIGN_IN = "site/admin/sign_in.html.jinja"
USERS = "site/admin/users.html.jinja"
JOIN = "site/admin/join.html.jinja"
OWNERS = ("owner",)

nav.register(nav.AdminLink("users", "Team", "/admin/users", roles=OWNERS, order=90))


def _signed_in(request: Request, user: dict, target: str) -> Redirect:
    response = Redirect(path=target, status_code=303)
    return ADMIN.set(request, response, ADMIN.make(request, user, request.app.state.clock()))


class AdminAccountController(Controller):
    path = "/admin"

    def _sign_in_page(self, request: Request, *, error: str = "", email: str = "", next_path: str = "/admin",
                      status_code: int = 200) -> Template:
        context = base_context(request, error=error, email=email, next_path=safe_next(next_path))
        return page(request, SIGN_IN, "signin", context, status_code=status_code)

    @get("/sign-in", name="admin-sign-in")
    async def sign_in_form(self, request: Request) -> Template | Redirect:
        admin = await current_admin(request)
        next_path = safe_next(request.query_params.get("next"))
        if admin is not None:
            return Redirect(path=next_path, status_code=303)
        page_language(request)
        return self._sign_in_page(request, next_path=next_path)

    @post("/sign-in", name="admin-sign-in-post")
    async def sign_in(self, request: Request) -> Template | Redirect:
        page_language(request)
        form = await request.form()
        email = str(form.get("email") or "").strip()[:254]
        password = str(form.get("password") or "")[:1024]
        next_path = safe_next(str(form.get("next") or request.query_params.get("next") or ""))
        if not may_try(request, "admin", email):
            return self._sign_in_page(request, email=email, next_path=next_path, status_code=429,
                                      error=_("Too many attempts. Please wait a few minutes and try again."))
        user = await authenticate(email, password)
        if user is None:
            failed_attempt(request, "admin", email)
            return self._sign_in_page(request, email=email, next_path=next_path, status_code=422,
                                      error=_("That e-mail and password don't match an account."))
        if next_path == "/admin":
            next_path = nav.landing_for(user["role"])
        return _signed_in(request, user, next_path + lang_query(request) if "?" not in next_path else next_path)

    @post("/sign-out", name="admin-sign-out")
    async def sign_out(self, request: Request) -> Redirect:
        return ADMIN.clear(request, Redirect(path="/admin/sign-in" + lang_query(request), status_code=303))

    # --- the team -----------------------------------------------------------------------------

    async def _users_page(self, request: Request, admin, *, errors: dict | None = None, form: dict | None = None,
                          invite_link: str = "", notice: str = "", status_code: int = 200) -> Template:
        now = request.app.state.clock()
        members = await team_db.team(admin.merchant["id"], now=now)
        context = admin_context(request, admin, "users", team=members, errors=errors or {},
                                form=form or {"email": "", "role": "staff", "store": ""},
                                invite_link=invite_link, notice=notice, tz=admin.merchant.get("timezone") or "UTC")
        return page(request, USERS, "team", context, status_code=status_code)

    @get("/users", name="admin-users")
    async def users(self, request: Request) -> Template:
        admin = await require_admin(request, roles=OWNERS)
        return await self._users_page(request, admin)

    @post("/users/invitations", name="admin-invite")
    async def invite(self, request: Request) -> Template:
        admin = await require_admin(request, roles=OWNERS)
        form = await request.form()
        values = {"email": str(form.get("email") or "")[:300].strip(), "role": str(form.get("role") or "")[:16],
                  "store": str(form.get("store") or "")[:64]}
        try:
            token = await team_db.invite(admin.merchant["id"], admin.user_id, values["email"], values["role"],
                                         values["store"], now=request.app.state.clock())
        except ValidationFailed as exc:
            return await self._users_page(request, admin, errors=form_errors.by_field(exc.errors), form=values,
                                          status_code=422)
        link = f"{request.base_url}".rstrip("/") + f"/admin/invitations/{token}"
        # shown once: the page answers 200 (not a redirect) so the link is never in a URL or a log
        return await self._users_page(request, admin, invite_link=link, notice=values["email"].lower())

    @post("/users/invitations/{invitation_id:int}/revoke", name="admin-invite-revoke")
    async def revoke(self, request: Request, invitation_id: int) -> Redirect:
        admin = await require_admin(request, roles=OWNERS)
        await team_db.revoke_invitation(admin.merchant["id"], invitation_id, now=request.app.state.clock())
        return Redirect(path="/admin/users" + lang_query(request), status_code=303)

    @post("/users/{user_id:int}/{action:str}", name="admin-user-access")
    async def access(self, request: Request, user_id: int, action: str) -> Template | Redirect:
        admin = await require_admin(request, roles=OWNERS)
        if action not in ("disable", "enable"):
            raise NotFound("no such action")
        try:
            await team_db.set_disabled(admin.merchant["id"], user_id, admin.user_id, action == "disable",
                                       now=request.app.state.clock())
        except Conflict as exc:
            return await self._users_page(request, admin, errors={"access": _(str(exc))}, status_code=409)
        return Redirect(path="/admin/users" + lang_query(request), status_code=303)

    # --- accepting an invitation ----------------------------------------------------------------

    @get("/invitations/{token:str}", name="admin-join")
    async def join_form(self, request: Request, token: str) -> Template:
        invitation = await team_db.open_invitation(token, now=request.app.state.clock())
        if invitation is None:
            page_language(request)
            raise NotFound("no such invitation")
        page_language(request, None, invitation["merchant_locale"])
        return page(request, JOIN, "join", base_context(request, invitation=invitation, token=token, errors={}))

    @post("/invitations/{token:str}", name="admin-join-post")
    async def join(self, request: Request, token: str) -> Template | Redirect:
        now = request.app.state.clock()
        invitation = await team_db.open_invitation(token, now=now)
        if invitation is None:
            page_language(request)
            raise NotFound("no such invitation")
        page_language(request, None, invitation["merchant_locale"])
        form = await request.form()
        try:
            user = await team_db.accept(token, str(form.get("password") or "")[:2048],
                                        str(form.get("confirm") or "")[:2048], now=now)
        except ValidationFailed as exc:
            return page(request, JOIN, "join", base_context(request, invitation=invitation, token=token,
                                                              errors=form_errors.by_field(exc.errors)), status_code=422)
        return _signed_in(request, user, nav.landing_for(user["role"]) + lang_query(request))
