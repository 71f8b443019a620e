"""Signing people in: the store staff console and the merchant admin share this one implementation.

A session lives on the server (`user_sessions`, orderhub.db.security.sessions): the cookie holds
256 random bits made at sign-in (the client cannot choose or fixate one), the table its hash. It
expires after SESSION_HOURS, and signing out, changing the password, disabling the user and "sign
out everywhere" end it at once, so a copied cookie stops working. Each purpose has its own cookie
and sessions, so a staff session never opens the admin and the other way round. Signing in also
sets a CSRF token bound to the session; a state-changing request of a signed-in person must carry
it (a token from before sign-in or from another session gets 403). Sign-in attempts are
rate-limited per client address and per e-mail address; argon2
verifies passwords, and an unknown e-mail costs the same verify so timing does not tell.

Signed-in people are typed: `find_account` and `SessionCookie.signed_in` answer an `Account` with its
`MerchantView` (the merchant admin takes them from dependency injection, site/admin/guard.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Litestar, Request, Response
from litestar._parsers import parse_cookie_string
from litestar.datastructures import Cookie, Headers, MutableScopeHeaders
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import generate_csrf_hash
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from orderhub.db.merchants import queries
from orderhub.db.merchants.queries import Account, MerchantView
from orderhub.db.merchants.services import PASSWORDS, password_matches
from orderhub.db.security import sessions
from orderhub.site.security import Limiter, client_address
from orderhub.site.security import limiter as named_limiter

#: the response a cookie helper was given, handed back (a Redirect stays a Redirect)
ResponseT = TypeVar("ResponseT", bound=Response[Any])

SESSION_HOURS = 12
#: sign-in attempts per client and per e-mail address in LIMIT_SECONDS
LIMIT_ATTEMPTS = 5
LIMIT_SECONDS = 300
#: a dummy hash, verified when the e-mail is unknown so timing does not tell
_DUMMY = PASSWORDS.hash("orderhub-no-such-user")


def client_key(request: Request) -> str:
    return client_address(request, request.app.state.settings.trusted_proxy)


def limiter(request: Request, name: str, amount: int = LIMIT_ATTEMPTS) -> Limiter:
    """The app's limiter for this purpose (its own counters, shared by every worker)."""
    return named_limiter(request.app.state, name, amount, LIMIT_SECONDS)


def _signin_keys(request: Request, email: str) -> tuple[str, str]:
    return "client:" + client_key(request), "email:" + email.strip().lower()


async def may_try(request: Request, purpose: str, email: str) -> bool:
    """False once the client address or the e-mail address has used up its failed sign-ins."""
    limits = limiter(request, f"{purpose}_signin")
    return all([await limits.allows(key) for key in _signin_keys(request, email)])


async def failed_attempt(request: Request, purpose: str, email: str) -> None:
    """Counts a wrong password (a successful sign-in counts nothing)."""
    limits = limiter(request, f"{purpose}_signin")
    for key in _signin_keys(request, email):
        await limits.hit(key)


async def find_account(email: str, password: str) -> Account | None:
    """The enabled account with this e-mail and password, or None; always one argon2 verify."""
    accounts = await queries.enabled_accounts(email)
    if not accounts:
        await password_matches(_DUMMY, password or "x")  # the same work whether or not the user exists
        return None
    for account in accounts:
        if await password_matches(account.password_hash, password or ""):
            return account
    return None


async def authenticate(email: str, password: str) -> dict | None:
    """TRANSITIONAL, for the staff console until it takes the typed `find_account`: the same answer as
    a dict ({"id", "merchant", "email", "role", "store_code", "password_hash"})."""
    account = await find_account(email, password)
    return _as_row(account) if account else None


def _as_row(account: Account) -> dict[str, Any]:
    return {"id": account.id, "merchant": account.merchant_id, "email": account.email, "role": account.role,
            "store_code": account.store_code, "password_hash": account.password_hash}


@dataclass(frozen=True)
class SignedIn:
    """Who a session cookie names: the account and its merchant."""

    account: Account
    merchant: MerchantView


@dataclass(frozen=True)
class SessionCookie:
    """The server-side session of one purpose ("staff", "admin"): the cookie holds a random id, the
    `user_sessions` table says whether it is still open (orderhub.db.security.sessions)."""

    purpose: str

    def name(self, request: Request) -> str:
        prefix = "__Host-" if request.app.state.settings.secure_cookies else ""
        return f"{prefix}orderhub-{self.purpose}"

    def raw(self, request: Request) -> str:
        return request.cookies.get(self.name(request), "")

    async def start(self, request: Request, response: ResponseT, user: Account | Mapping[str, Any],
                    now: dt.datetime) -> ResponseT:
        """Signs `user` in: a new session, its cookie, and a CSRF token bound to it."""
        # TRANSITIONAL: the staff console still hands its user as a dict
        user_id = user.id if isinstance(user, Account) else user["id"]
        raw = await sessions.start(user_id, self.purpose, now=now, hours=SESSION_HOURS)
        secure = request.app.state.settings.secure_cookies
        response.set_cookie(self.name(request), raw, max_age=SESSION_HOURS * 3600, path="/", secure=secure,
                            httponly=True, samesite="strict")
        csrf = request.app.csrf_config
        if csrf is not None:
            response.set_cookie(csrf.cookie_name, bound_csrf_token(request, raw), path="/", secure=csrf.cookie_secure,
                                httponly=csrf.cookie_httponly, samesite=csrf.cookie_samesite)
        return response

    async def signed_in(self, request: Request) -> SignedIn | None:
        """The signed-in, enabled account with its merchant, or None. A state-changing request must
        also carry the CSRF token bound to this session (403 otherwise)."""
        raw = self.raw(request)
        user_id = await sessions.user_of(raw, self.purpose, now=request.app.state.clock())
        if user_id is None:
            return None
        if request.method not in SAFE_METHODS and not csrf_matches_session(request, raw):
            raise PermissionDeniedException("the CSRF token belongs to another session")
        found = await queries.signed_in(user_id)
        return SignedIn(*found) if found is not None else None

    async def user(self, request: Request) -> dict | None:
        """TRANSITIONAL, for the staff console until it takes the typed `signed_in`: the signed-in
        user as a dict with its merchant row under "merchant_row"."""
        found = await self.signed_in(request)
        if found is None:
            return None
        return {**_as_row(found.account), "merchant_row": found.merchant}

    async def end(self, request: Request, response: ResponseT) -> ResponseT:
        """Signs out: the session ends on the server (a copied cookie opens nothing) and the cookie goes."""
        await sessions.end(self.raw(request), now=request.app.state.clock())
        response.delete_cookie(self.name(request), path="/")
        return response


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _csrf_secret_for(request: Request, raw_session: str) -> str:
    return _session_csrf_part(request.app, raw_session)


def _session_csrf_part(app: Litestar, raw_session: str) -> str:
    key = app.state.settings.key_for("csrf-session")
    return hmac.new(key, raw_session.encode(), hashlib.sha256).hexdigest()


def bound_csrf_token(request: Request, raw_session: str) -> str:
    return _bound_token(request.app, raw_session)


def _bound_token(app: Litestar, raw_session: str) -> str:
    """A CSRF token in Litestar's format (64 hex characters, then their HMAC under the CSRF secret)
    whose first part is derived from the session: valid for this session only."""
    secret = _session_csrf_part(app, raw_session)
    config = app.csrf_config
    assert config is not None
    return secret + generate_csrf_hash(token=secret, secret=config.secret)


#: which session a page's forms act for, by path
PURPOSE_BY_PATH = (("/admin", "admin"), ("/staff", "staff"))


def csrf_follows_session(app: ASGIApp) -> ASGIApp:
    """Middleware (outside Litestar's CSRF check): a page of the admin or the staff console, viewed
    with a session cookie, renders and sets the CSRF token bound to that session (say the CSRF cookie
    was cleared, or another area of the app signed in last), so its forms always post a token the
    session accepts. Computed from the cookie alone (an HMAC), no database."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        purpose = next((p for prefix, p in PURPOSE_BY_PATH if path.startswith(prefix)), None)
        litestar_app: Litestar | None = scope.get("litestar_app")
        if (scope["type"] != "http" or purpose is None or scope.get("method") not in SAFE_METHODS
                or litestar_app is None or litestar_app.csrf_config is None):
            await app(scope, receive, send)
            return
        config = litestar_app.csrf_config
        secure = litestar_app.state.settings.secure_cookies
        cookies = parse_cookie_string(Headers.from_scope(scope).get("cookie", ""))
        raw = cookies.get(f"{'__Host-' if secure else ''}orderhub-{purpose}", "")
        current = cookies.get(config.cookie_name, "")
        if not raw or current[:64] == _session_csrf_part(litestar_app, raw):
            await app(scope, receive, send)
            return
        token = _bound_token(litestar_app, raw)
        cookies[config.cookie_name] = token
        header = "; ".join(f"{k}={v}" for k, v in cookies.items())
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"cookie"] + [(b"cookie", header.encode())]
        cookie = Cookie(key=config.cookie_name, value=token, path="/", secure=config.cookie_secure,
                        httponly=config.cookie_httponly, samesite=config.cookie_samesite)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))
            await send(message)

        await app(scope, receive, send_with_cookie)

    return middleware


def csrf_matches_session(request: Request, raw_session: str) -> bool:
    """The request's CSRF cookie (which Litestar has checked against the form or header token) is the
    one bound to this session."""
    config = request.app.csrf_config
    if config is None:
        return True
    cookie = request.cookies.get(config.cookie_name, "")
    return hmac.compare_digest(cookie[:64], _csrf_secret_for(request, raw_session))


STAFF = SessionCookie("staff")
ADMIN = SessionCookie("admin")
