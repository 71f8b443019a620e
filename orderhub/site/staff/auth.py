"""Staff sign-in for the store console: the shared session machinery of orderhub/site/auth.py with
the staff cookie, limited to users of role staff who belong to a store."""

from __future__ import annotations

from litestar import Request, Response

from orderhub.site.auth import STAFF, authenticate, failed_attempt, limiter, may_try  # noqa: F401  (used by the console)


async def current_staff(request: Request) -> dict | None:
    """The signed-in staff user (a dict with its merchant row under "merchant_row"), or None."""
    user = await STAFF.user(request)
    if user is None or user["role"] != "staff" or not user["store_code"]:
        return None
    return user


def set_session(request: Request, response: Response, user: dict) -> Response:
    return STAFF.set(request, response, STAFF.make(request, user, request.app.state.clock()))


def clear_session(request: Request, response: Response) -> Response:
    return STAFF.clear(request, response)
