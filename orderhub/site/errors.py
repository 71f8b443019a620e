"""Every error becomes a clear answer: JSON `{"errors": [{"field", "code", "message"}]}` for the API and
webhooks, a branded-neutral HTML page for people. Never a stack trace.

Domain errors (`orderhub.db.errors`) answer the API with `exc.as_json()` (their stable code and the
English message) and people with their code's catalog message (`orderhub.site.messages`), in the
page's language; the HTTP status follows the kind of error (NotFound 404, Conflict 409)."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from orderhub.components.i18n import gettext as _
from orderhub.db.engine import is_busy
from orderhub.db.errors import Busy, Conflict, DomainError, NotFound, ValidationFailed
from orderhub.site import messages
from orderhub.site.access import RoleNotAllowed, SignInRequired
from orderhub.site.hosts import UnknownHost
from orderhub.site.hub.context import LinkExpired, base_context, page_language

try:  # the PostgreSQL driver (optional: SQLite deployments need not install it)
    from asyncpg.exceptions import DataError as PgDataError
except ImportError:  # pragma: no cover
    PgDataError = None

log = logging.getLogger("orderhub.errors")

MACHINE_PREFIXES = ("/api/", "/webhooks/", "/schema")
#: the code an API client gets for each HTTP refusal that is not a domain error
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 429: "too_many_requests", 503: "busy"}


def _machine(request: Request) -> bool:
    return request.url.path.startswith(MACHINE_PREFIXES)


def _error(code: str, message: str, field: str = "") -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


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


def message_page(request: Request, status: int, title: str, message: str) -> Response:
    """A plain branded page with one message (the same layout as every error page)."""
    return _page(request, status, title, message)


def validation_failed(request: Request, exc: ValidationFailed) -> Response:
    return _json(422, exc.as_json())


def _not_found_page(request: Request, message: str) -> Response:
    return _page(request, 404, _("Page not found"), message, show_lookup=True)


def not_found(request: Request, exc: Exception) -> Response:
    """Litestar's 404 (unknown path, bad hub token) and anything else that finds nothing."""
    if _machine(request):
        return _json(404, [_error("not_found", "not found")])
    return _not_found_page(request, messages.text(NotFound.default_code))


def domain_not_found(request: Request, exc: NotFound) -> Response:
    """A service found nothing: its own code for the API; people get its message when the code has
    one, and otherwise the same page as any link that opens nothing."""
    if _machine(request):
        return _json(404, [exc.as_json()])
    code = exc.code if exc.code in messages.TABLE else NotFound.default_code
    return _not_found_page(request, messages.text(code, **exc.params))


def conflict(request: Request, exc: Conflict) -> Response:
    if _machine(request):
        return _json(409, [exc.as_json()])
    return _page(request, 409, _("That can't be done right now"), messages.for_error(exc))


def domain_error(request: Request, exc: DomainError) -> Response:
    """Any other refusal a service raises: 422 with its code."""
    if _machine(request):
        return _json(422, [exc.as_json()])
    return _page(request, 422, _("That can't be done right now"), messages.for_error(exc))


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status == 404:
        return not_found(request, exc)
    if _machine(request):
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        if status == 400 and getattr(exc, "extra", None):
            detail = "malformed request"
        headers = {"WWW-Authenticate": 'Bearer realm="orderhub"'} if isinstance(exc, NotAuthorizedException) else None
        field = "body" if status == 413 else ""
        return _json(status, [_error(HTTP_CODES.get(status, "refused"), detail, field)], headers)
    titles = {
        400: _("Something in that request wasn't right"),
        403: _("Your session expired"),
        405: _("That can't be done here"),
        413: _("That was too large"),
        429: _("Too many attempts"),
    }
    texts = {
        403: _("For your security, please go back, reload the page and try again."),
        413: _("Please choose a smaller file and try again."),
        429: _("Please wait a few minutes and try again."),
    }
    return _page(request, status, titles.get(status, _("Something went wrong")),
                 texts.get(status, _("Please go back and try again.")))


def unknown_host(request: Request, exc: UnknownHost) -> Response:
    """A Host header this server does not answer to (site/hosts.py): say which address it does
    answer to and which setting adds another, instead of a bare refusal."""
    base_url = request.app.state.settings.base_url
    accept = request.headers.get("accept", "")
    if _machine(request) or ("application/json" in accept and "text/html" not in accept):
        return _json(400, [_error("invalid_host", f"this server does not answer to the host {exc.host!r}: use "
                                  f"{base_url}, or add the host to ORDERHUB_ALLOWED_HOSTS")])
    page_language(request)  # before the words below are translated
    return _page(request, 400, _("This address isn't served here"), _(
        "This server was reached as %(host)s, which is not one of its addresses. Open %(url)s instead, or "
        "add the address to ORDERHUB_ALLOWED_HOSTS (or set ORDERHUB_BASE_URL) and restart.",
        host=exc.host or "?", url=base_url))


def sign_in_required(request: Request, exc: SignInRequired) -> Response:
    """An admin page without a session: people go to the sign-in page (and come back), scripts get 401."""
    accept = request.headers.get("accept", "")
    if _machine(request) or ("application/json" in accept and "text/html" not in accept):
        return _json(401, [_error("sign_in_required", "sign in to the merchant admin")])
    target = exc.sign_in_url
    if request.headers.get("hx-request"):
        return Response(b"", status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def link_expired(request: Request, exc: LinkExpired) -> Response:
    """A hub link past its expiry: to the merchant's lookup page (htmx: navigate there, not swap it in)."""
    headers = {"Cache-Control": "no-store"}
    if request.headers.get("hx-request"):
        return Response(b"", status_code=204, headers={**headers, "HX-Redirect": exc.lookup_url})
    return Redirect(path=exc.lookup_url, status_code=303, headers=headers)


def role_not_allowed(request: Request, exc: Exception) -> Response:
    if _machine(request):
        return _json(403, [_error("role_not_allowed", "not allowed for your role")])
    return _page(request, 403, _("This page is for the shop's owners"),
                 _("Your account can't open this page. Ask an owner of the shop if you need it."))


def _id_out_of_range(exc: Exception) -> bool:
    """An id in the URL no row can have (beyond 64 bits): SQLite raises OverflowError, asyncpg a
    DataError about the int32/int64 range. Such an object does not exist: 404, not a server error."""
    if isinstance(exc, OverflowError):
        return True
    return PgDataError is not None and isinstance(exc, PgDataError) and "value out of int" in str(exc)


def busy(request: Request, exc: Exception) -> Response:
    """The database is locked past its busy timeout, or every decoding slot is taken: 503 with
    Retry-After (JSON for the API, a branded page for people), never a 500."""
    seconds = exc.retry_after if isinstance(exc, Busy) else BUSY_RETRY_SECONDS
    log.warning("busy (%s) on %s %s", type(exc).__name__, request.method, request.url.path)
    headers = {"Retry-After": str(seconds)}
    if _machine(request):
        return _json(503, [_error("busy", "the server is busy; try again in a moment")], headers)
    response = _page(request, 503, _("We're a little busy"),
                     _("Too many people are doing this at once. Please try again in a moment."))
    response.headers.update(headers)
    return response


#: what a locked database asks a client to wait before sending the same request again
BUSY_RETRY_SECONDS = 2


def server_error(request: Request, exc: Exception) -> Response:
    if _id_out_of_range(exc):
        return not_found(request, exc)
    if is_busy(exc):
        return busy(request, exc)
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if _machine(request):
        return _json(HTTP_500_INTERNAL_SERVER_ERROR, [_error("internal_error", "internal error; it has been logged")])
    return _page(request, 500, _("Something went wrong on our side"),
                 _("We've been notified. Please try again in a moment."))


HANDLERS: dict[Any, Any] = {
    Busy: busy,
    UnknownHost: unknown_host,
    SignInRequired: sign_in_required,
    LinkExpired: link_expired,
    RoleNotAllowed: role_not_allowed,
    ValidationFailed: validation_failed,
    NotFound: domain_not_found,
    Conflict: conflict,
    DomainError: domain_error,
    HTTPException: http_error,
    Exception: server_error,
}
