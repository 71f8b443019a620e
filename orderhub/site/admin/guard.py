"""Who may open an admin page: `require_admin` for every admin route, `admin_context` for its layout.

Not signed in: a 303 to the sign-in page that comes back here afterwards (401 JSON for scripts).
Signed in with a role the page does not allow: a 403 page. Every query an admin page makes filters
by `admin.merchant["id"]`, so another merchant's object is simply not found (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.exceptions import HTTPException, PermissionDeniedException

from orderhub.components.i18n import gettext as _
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


class SignInRequired(HTTPException):
    status_code = 401
    detail = "sign in to the merchant admin"

    def __init__(self, next_path: str) -> None:
        super().__init__(detail=self.detail)
        self.next_path = next_path


class RoleNotAllowed(PermissionDeniedException):
    """Signed in, but this page is for another role (staff opening an owner's page)."""


def safe_next(value: str | None) -> str:
    """A local admin path to come back to after signing in; anything else lands on /admin."""
    value = (value or "").strip()
    if not value.startswith("/admin") or value.startswith("//") or "\\" in value or len(value) > 500:
        return "/admin"
    if value.startswith(("/admin/sign-in", "/admin/sign-out")):
        return "/admin"
    return value


def sign_in_url(next_path: str) -> str:
    return "/admin/sign-in?next=" + quote(safe_next(next_path), safe="/")


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
