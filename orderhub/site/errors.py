"""Every error becomes a clear answer: JSON with field paths for the API and webhooks, a branded-
neutral HTML page for people. Never a stack trace."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from orderhub.components.i18n import gettext as _
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.site import messages
from orderhub.site.hub.context import base_context, page_language

log = logging.getLogger("orderhub.errors")

MACHINE_PREFIXES = ("/api/", "/webhooks/", "/schema")


def _machine(request: Request) -> bool:
    return request.url.path.startswith(MACHINE_PREFIXES)


def _json(status: int, errors: list[dict], headers: dict | None = None) -> Response:
    return Response({"errors": errors}, status_code=status, media_type=MediaType.JSON, headers=headers)


def _page(request: Request, status: int, title: str, message: str, *, show_lookup: bool = False) -> Response:
    if not hasattr(request.state, "lang"):
        page_language(request)
    return Template(
        template_name="site/layouts/error.html.jinja",
        context=base_context(request, title=title, message=message, show_lookup=show_lookup),
        status_code=status,
    )


def validation_failed(request: Request, exc: ValidationFailed) -> Response:
    return _json(422, exc.as_json())


def not_found(request: Request, exc: Exception) -> Response:
    if _machine(request):
        return _json(404, [{"field": "", "message": "not found"}])
    return _page(request, 404, _("Page not found"),
                 _("This link doesn't open an order. It may have expired or been replaced by a newer one."),
                 show_lookup=True)


def conflict(request: Request, exc: Conflict) -> Response:
    if _machine(request):
        return _json(409, [exc.as_json()])
    return _page(request, 409, _("That can't be done right now"), messages.for_error(exc))


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status == 404:
        return not_found(request, exc)
    if _machine(request):
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        if status == 400 and getattr(exc, "extra", None):
            detail = "malformed request"
        headers = {"WWW-Authenticate": 'Bearer realm="orderhub"'} if isinstance(exc, NotAuthorizedException) else None
        return _json(status, [{"field": "body" if status == 413 else "", "message": detail}], headers)
    titles = {
        400: _("Something in that request wasn't right"),
        403: _("Your session expired"),
        405: _("That can't be done here"),
        413: _("That was too large"),
        429: _("Too many attempts"),
    }
    messages = {
        403: _("For your security, please go back, reload the page and try again."),
        413: _("Please choose a smaller file and try again."),
        429: _("Please wait a few minutes and try again."),
    }
    return _page(request, status, titles.get(status, _("Something went wrong")),
                 messages.get(status, _("Please go back and try again.")))


def sign_in_required(request: Request, exc: Exception) -> Response:
    """An admin page without a session: people go to the sign-in page (and come back), scripts get 401."""
    from orderhub.site.admin.guard import sign_in_url

    accept = request.headers.get("accept", "")
    if _machine(request) or ("application/json" in accept and "text/html" not in accept):
        return _json(401, [{"field": "", "message": "sign in to the merchant admin"}])
    target = sign_in_url(getattr(exc, "next_path", "/admin"))
    if request.headers.get("hx-request"):
        return Response(b"", status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def _id_out_of_range(exc: Exception) -> bool:
    """An id in the URL no row can have (beyond 64 bits): SQLite raises OverflowError, asyncpg a
    DataError about the int32/int64 range. Such an object does not exist: 404, not a server error."""
    if isinstance(exc, OverflowError):
        return True
    try:
        import asyncpg

        return isinstance(exc, asyncpg.exceptions.DataError) and "value out of int" in str(exc)
    except ImportError:  # pragma: no cover
        return False


def server_error(request: Request, exc: Exception) -> Response:
    if _id_out_of_range(exc):
        return not_found(request, exc)
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if _machine(request):
        return _json(HTTP_500_INTERNAL_SERVER_ERROR, [{"field": "", "message": "internal error; it has been logged"}])
    return _page(request, 500, _("Something went wrong on our side"),
                 _("We've been notified. Please try again in a moment."))


def role_not_allowed(request: Request, exc: Exception) -> Response:
    if _machine(request):
        return _json(403, [{"field": "", "message": "not allowed for your role"}])
    return _page(request, 403, _("This page is for the shop's owners"),
                 _("Your account can't open this page. Ask an owner of the shop if you need it."))


def _handlers() -> dict:
    from orderhub.site.admin.guard import RoleNotAllowed, SignInRequired

    return {SignInRequired: sign_in_required, RoleNotAllowed: role_not_allowed}


HANDLERS = {
    **_handlers(),
    ValidationFailed: validation_failed,
    NotFound: not_found,
    Conflict: conflict,
    HTTPException: http_error,
    Exception: server_error,
}
