"""Who may open an admin page: `require_admin` for every admin route, `admin_context` for its layout.

Not signed in: a 303 to the sign-in page that comes back here afterwards (401 JSON for scripts).
Signed in with a role the page does not allow: a 403 page. Every query an admin page makes filters
by `admin.merchant["id"]`, so another merchant's object is simply not found (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from orderhub.components.i18n import gettext as _
from orderhub.site.access import RoleNotAllowed, SignInRequired, safe_next, sign_in_url  # noqa: F401 (re-export)
from orderhub.site.admin import nav
from orderhub.site.auth import ADMIN
from orderhub.site.hub.context import base_context, page_language


@dataclass(frozen=True)
class Admin:
    user_id: int
    email: str
    role: str  # owner | staff
    merchant: dict
    store_code: str | None = None


async def current_admin(request: Request) -> Admin | None:
    user = await ADMIN.user(request)
    if user is None:
        return None
    return Admin(user["id"], user["email"], user["role"], user["merchant_row"], user.get("store_code"))


async def require_admin(request: Request, *, roles: tuple[str, ...] = ("owner", "staff")) -> Admin:
    admin = await current_admin(request)
    if admin is None:
        page_language(request)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path)
    page_language(request, None, admin.merchant.get("locale"))
    if admin.role not in roles:
        raise RoleNotAllowed(detail="this page is for the merchant's owners")
    return admin


def admin_context(request: Request, admin: Admin, active: str, **extra: Any) -> dict[str, Any]:
    links = [{"key": link.key, "label": _(link.label), "href": link.path, "current": link.key == active}
             for link in nav.links_for(admin.role)]
    return base_context(request, admin=admin, merchant=admin.merchant, admin_nav=links, active=active, **extra)
