"""Staff sign-in for the store console: the shared session machinery of orderhub/site/auth.py with
the staff cookie, limited to users of role staff who belong to a store.

The signed-in staff member reaches the console's handlers by dependency injection:
``optional_staff_user`` (None when signed out: the console shows the sign-in form) and
``staff_user`` (signed out: the same 404 as an unknown page). Both set the page language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.di import Provide
from litestar.exceptions import NotFoundException

from orderhub.db.merchants.queries import MerchantView
from orderhub.db.pickup.rules import Clerk
from orderhub.site.auth import STAFF, authenticate, failed_attempt, limiter, may_try  # noqa: F401  (used by the console)
from orderhub.site.hub.context import page_language

STAFF_ROLE = "staff"
#: the response a cookie helper was given, handed back (a Redirect stays a Redirect)
ResponseT = TypeVar("ResponseT", bound=Response[Any])


@dataclass(frozen=True)
class StaffUser(Clerk):
    """A signed-in staff member: who acts (merchant, store, e-mail) and what the console shows."""

    id: int
    merchant_name: str
    merchant_locale: str
    merchant_timezone: str

    @classmethod
    def of(cls, user: dict[str, Any] | None) -> StaffUser | None:
        """The staff member of a signed-in user row (with its "merchant_row"), or None when the user
        is not store staff."""
        if user is None or not is_staff(user):
            return None
        merchant: MerchantView | None = user.get("merchant_row")
        return cls(merchant_id=user["merchant"], store_code=user["store_code"], email=user["email"], id=user["id"],
                   merchant_name=merchant.name if merchant else "", merchant_locale=merchant.locale if merchant else "",
                   merchant_timezone=merchant.timezone if merchant else "UTC")


def is_staff(user: dict[str, Any] | None) -> bool:
    """A user row that may sign in to the staff console."""
    return user is not None and user["role"] == STAFF_ROLE and bool(user["store_code"])


async def current_staff(request: Request) -> StaffUser | None:
    """The signed-in staff member, or None."""
    return StaffUser.of(await STAFF.user(request))


async def provide_optional_staff_user(request: Request) -> StaffUser | None:
    staff = await current_staff(request)
    page_language(request, None, staff.merchant_locale if staff else None)
    return staff


def provide_staff_user(optional_staff_user: StaffUser | None) -> StaffUser:
    if optional_staff_user is None:
        raise NotFoundException()
    return optional_staff_user


DEPENDENCIES: dict[str, Provide] = {
    "optional_staff_user": Provide(provide_optional_staff_user),
    "staff_user": Provide(provide_staff_user, sync_to_thread=False),
}


async def set_session(request: Request, response: ResponseT, user: dict) -> ResponseT:
    return await STAFF.start(request, response, user, request.app.state.clock())


async def clear_session(request: Request, response: ResponseT) -> ResponseT:
    return await STAFF.end(request, response)
