"""Refusals of pages that need a signed-in merchant-admin user, and where signing in sends people.

Raised by `orderhub.site.admin.guard` and answered by `orderhub.site.errors` (a 303 to the sign-in
page for people, 401 JSON for scripts; a 403 page for a role the page does not allow). Both import
this small module, so the error handlers need nothing from the admin package.
"""

from __future__ import annotations

from urllib.parse import quote

from litestar.exceptions import HTTPException, PermissionDeniedException


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


class SignInRequired(HTTPException):
    status_code = 401
    detail = "sign in to the merchant admin"

    def __init__(self, next_path: str) -> None:
        super().__init__(detail=self.detail)
        self.next_path = next_path

    @property
    def sign_in_url(self) -> str:
        """The sign-in page, coming back to `next_path` afterwards."""
        return sign_in_url(self.next_path)


class RoleNotAllowed(PermissionDeniedException):
    """Signed in, but this page is for another role (staff opening an owner's page)."""
