"""Signing in to the merchant admin, signing out, the team page (owners invite and disable people)
and accepting an invitation."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.merchants import rules
from orderhub.db.merchants import team as team_db
from orderhub.db.merchants.queries import Account
from orderhub.db.merchants.team import Invitation
from orderhub.db.security.sessions import end_all as end_all_sessions
from orderhub.site import errors, form_errors, messages
from orderhub.site.admin import guard, nav
from orderhub.site.admin.guard import Admin, admin_context, current_admin, safe_next
from orderhub.site.auth import ADMIN, failed_attempt, find_account, may_try
from orderhub.site.hub.context import base_context, page_language
from orderhub.site.rendering import page

SIGN_IN = "site/admin/sign_in.html.jinja"
USERS = "site/admin/users.html.jinja"
JOIN = "site/admin/join.html.jinja"
PASSWORD = "site/admin/password.html.jinja"
#: what a teammate's row offers: enable or disable their access
ACCESS_MOVES = {"disable": True, "enable": False}



async def _signed_in(request: Request, account: Account, target: str, now: dt.datetime) -> Redirect:
    return await ADMIN.start(request, Redirect(path=target, status_code=303), account, now)


def _landing(next_path: str, account: Account) -> str:
    """Where to go after signing in: the page asked for, else the first page of the account's role."""
    return href(nav.landing_for(account.role) if next_path == "/admin" else next_path)


class InvitationClosed(Exception):
    """A real invitation that was accepted already or has expired: its page says which."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def invitation_closed(request: Request, exc: InvitationClosed) -> Response:
    return errors.message_page(request, 410, _("This invitation can't be used"), messages.text(exc.code))


async def _open_invitation(request: Request, token: str, now: dt.datetime) -> Invitation:
    invitation = await team_db.open_invitation(token, now=now)
    if invitation is None:
        page_language(request)
        reason = await team_db.closed_reason(token, now=now)
        if reason is not None:
            raise InvitationClosed(reason)
        raise NotFoundException()
    page_language(request, None, invitation.merchant_locale)
    return invitation


class AdminAccountController(Controller):
    path = "/admin"
    dependencies = guard.DEPENDENCIES
    exception_handlers = {InvitationClosed: invitation_closed}

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
    async def sign_in(self, request: Request, now: dt.datetime) -> Template | Redirect:
        page_language(request)
        form = await request.form()
        email = str(form.get("email") or "").strip()[:254]
        password = str(form.get("password") or "")[:1024]
        next_path = safe_next(str(form.get("next") or request.query_params.get("next") or ""))
        if not await may_try(request, "admin", email):
            return self._sign_in_page(request, email=email, next_path=next_path, status_code=429,
                                      error=_("Too many attempts. Please wait a few minutes and try again."))
        account = await find_account(email, password)
        if account is None:
            await failed_attempt(request, "admin", email)
            return self._sign_in_page(request, email=email, next_path=next_path, status_code=422,
                                      error=_("That e-mail and password don't match an account."))
        return await _signed_in(request, account, _landing(next_path, account), now)

    @post("/sign-out", name="admin-sign-out")
    async def sign_out(self, request: Request) -> Redirect:
        page_language(request)
        return await ADMIN.end(request, Redirect(path=href("/admin/sign-in"), status_code=303))

    # --- your own account: password, sessions ------------------------------------------------------

    def _password_page(self, request: Request, admin: Admin, *, errors: dict | None = None, notice: str = "",
                       status_code: int = 200) -> Template:
        context = admin_context(request, admin, "account", errors=errors or {}, notice=notice,
                                min_password=rules.MIN_PASSWORD)
        return page(request, PASSWORD, "password", context, status_code=status_code)

    @get("/account/password", name="admin-password")
    async def password_form(self, request: Request, admin_user: Admin) -> Template:
        changed = request.query_params.get("changed") == "1"
        return self._password_page(request, admin_user, notice=_("Your password was changed. You were signed "
                                                                 "out everywhere else.") if changed else "")

    @post("/account/password", name="admin-password-post", request_max_body_size=16 * 1024)
    async def change_password(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template | Redirect:
        form = await request.form()
        try:
            await team_db.change_password(admin_user.user_id, str(form.get("current") or "")[:1024],
                                          str(form.get("password") or "")[:2048], str(form.get("confirm") or "")[:2048],
                                          keep_session=ADMIN.raw(request), now=now)
        except ValidationFailed as exc:
            return self._password_page(request, admin_user, errors=form_errors.by_field(exc.details), status_code=422)
        return Redirect(path=href("/admin/account/password?changed=1"), status_code=303)

    @post("/account/sign-out-everywhere", name="admin-sign-out-everywhere")
    async def sign_out_everywhere(self, request: Request, admin_user: Admin, now: dt.datetime) -> Redirect:
        await end_all_sessions(admin_user.user_id, now=now)
        return await ADMIN.end(request, Redirect(path=href("/admin/sign-in"), status_code=303))

    # --- the team -----------------------------------------------------------------------------

    async def _users_page(self, request: Request, admin: Admin, now: dt.datetime, *, errors: dict | None = None,
                          form: dict | None = None, invite_link: str = "", notice: str = "",
                          status_code: int = 200) -> Template:
        members = await team_db.team(admin.merchant.id, now=now)
        context = admin_context(request, admin, "users", team=members, errors=errors or {},
                                form=form or {"email": "", "role": rules.STAFF, "store": ""},
                                invite_link=invite_link, notice=notice, tz=admin.timezone,
                                invite_days=max(1, request.app.state.settings.invite_hours // 24),
                                owner=rules.OWNER, staff=rules.STAFF)
        return page(request, USERS, "team", context, status_code=status_code)

    @get("/users", name="admin-users", opt=guard.OWNERS_ONLY)
    async def users(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template:
        return await self._users_page(request, admin_user, now)

    @post("/users/invitations", name="admin-invite", opt=guard.OWNERS_ONLY)
    async def invite(self, request: Request, admin_user: Admin, now: dt.datetime) -> Template:
        form = await request.form()
        values = {"email": str(form.get("email") or "")[:300].strip(), "role": str(form.get("role") or "")[:16],
                  "store": str(form.get("store") or "")[:64]}
        try:
            token = await team_db.invite(admin_user.merchant.id, admin_user.user_id, values["email"], values["role"],
                                         values["store"], now=now, hours=request.app.state.settings.invite_hours)
        except ValidationFailed as exc:
            return await self._users_page(request, admin_user, now, errors=form_errors.by_field(exc.details),
                                          form=values, status_code=422)
        link = f"{request.base_url}".rstrip("/") + f"/admin/invitations/{token}"
        # shown once: the page answers 200 (not a redirect) so the link is never in a URL or a log
        return await self._users_page(request, admin_user, now, invite_link=link, notice=values["email"].lower())

    @post("/users/invitations/{invitation_id:int}/revoke", name="admin-invite-revoke", opt=guard.OWNERS_ONLY)
    async def revoke(self, admin_user: Admin, invitation_id: int, now: dt.datetime) -> Redirect:
        try:
            await team_db.revoke_invitation(admin_user.merchant.id, invitation_id, now=now)
        except NotFound:
            raise NotFoundException() from None
        return Redirect(path=href("/admin/users"), status_code=303)

    @post("/users/{user_id:int}/{action:str}", name="admin-user-access", opt=guard.OWNERS_ONLY)
    async def access(self, request: Request, admin_user: Admin, user_id: int, action: str,
                     now: dt.datetime) -> Template | Redirect:
        if action not in ACCESS_MOVES:
            raise NotFoundException()
        try:
            await team_db.set_disabled(admin_user.merchant.id, user_id, admin_user.user_id, ACCESS_MOVES[action],
                                       now=now)
        except NotFound:
            raise NotFoundException() from None
        except Conflict as exc:
            return await self._users_page(request, admin_user, now, errors={"access": messages.for_error(exc)},
                                          status_code=409)
        return Redirect(path=href("/admin/users"), status_code=303)

    # --- accepting an invitation ----------------------------------------------------------------

    @get("/invitations/{token:str}", name="admin-join")
    async def join_form(self, request: Request, token: str, now: dt.datetime) -> Template:
        invitation = await _open_invitation(request, token, now)
        return page(request, JOIN, "join", base_context(request, invitation=invitation, token=token, errors={}))

    @post("/invitations/{token:str}", name="admin-join-post")
    async def join(self, request: Request, token: str, now: dt.datetime) -> Template | Redirect:
        invitation = await _open_invitation(request, token, now)
        form = await request.form()
        try:
            account = await team_db.accept(token, str(form.get("password") or "")[:2048],
                                           str(form.get("confirm") or "")[:2048], now=now)
        except ValidationFailed as exc:
            return page(request, JOIN, "join", base_context(request, invitation=invitation, token=token,
                                                              errors=form_errors.by_field(exc.details)), status_code=422)
        except NotFound:
            raise NotFoundException() from None
        return await _signed_in(request, account, href(nav.landing_for(account.role)), now)
