"""Who may open an admin page, and the signed-in admin user as a dependency.

Every admin controller declares ``dependencies = guard.DEPENDENCIES``; a handler that takes an
``admin_user: Admin`` parameter gets the signed-in user, checked against the roles its route allows
(``opt=guard.OWNERS_ONLY`` on a controller or handler; every role otherwise). Not signed in: a 303
to the sign-in page that comes back here afterwards (401 JSON for scripts). Signed in with a role
the page does not allow: a 403 page. Every query an admin page makes filters by
`admin.merchant.id`, so another merchant's object is simply not found (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import Provide

from orderhub.components.i18n import gettext as _
from orderhub.components.urls import href
from orderhub.db.merchants import rules
from orderhub.db.merchants.queries import MerchantView
from orderhub.site.access import RoleNotAllowed, SignInRequired, safe_next, sign_in_url  # noqa: F401 (re-export)
from orderhub.site.admin import nav
from orderhub.site.auth import ADMIN
from orderhub.site.hub.context import base_context, page_language

#: the route option naming the roles a page allows (every role when absent)
ROLES_OPT = "admin_roles"
#: `opt` of the owners' pages (settings, branding, team)
OWNERS_ONLY: dict[str, Any] = {ROLES_OPT: rules.OWNERS}


@dataclass(frozen=True)
class Admin:
    """The signed-in user of the merchant admin."""

    user_id: int
    email: str
    role: str  # rules.ROLES
    merchant: MerchantView
    store_code: str | None = None

    @property
    def is_owner(self) -> bool:
        return self.role == rules.OWNER

    @property
    def timezone(self) -> str:
        return self.merchant.timezone


async def current_admin(request: Request) -> Admin | None:
    found = await ADMIN.signed_in(request)
    if found is None:
        return None
    account = found.account
    return Admin(account.id, account.email, account.role, found.merchant, account.store_code)


async def require_admin(request: Request, *, roles: tuple[str, ...] = rules.ROLES) -> Admin:
    """The signed-in user if their role may open this page (SignInRequired / RoleNotAllowed otherwise),
    with the page language set from the merchant's locale."""
    admin = await current_admin(request)
    if admin is None:
        page_language(request)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path)
    page_language(request, None, admin.merchant.locale)
    if admin.role not in roles:
        raise RoleNotAllowed(detail="this page is for the merchant's owners")
    return admin


async def provide_admin_user(request: Request) -> Admin:
    """The `admin_user` dependency: the signed-in user, for the roles the route allows."""
    return await require_admin(request, roles=request.route_handler.opt.get(ROLES_OPT, rules.ROLES))


DEPENDENCIES: dict[str, Provide] = {"admin_user": Provide(provide_admin_user)}


def admin_context(request: Request, admin: Admin, active: str, **extra: Any) -> dict[str, Any]:
    links = [{"key": link.key, "label": _(link.label), "href": href(link.path), "current": link.key == active}
             for link in nav.links_for(admin.role)]
    return base_context(request, admin=admin, merchant=admin.merchant, admin_nav=links, active=active, **extra)
