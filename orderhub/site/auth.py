"""Signing people in: the store staff console and the merchant admin share this one implementation.

A session is a signed cookie (HMAC-SHA256 with a key derived for its purpose) holding the user id,
the sign-in time and a fingerprint of the password hash: the client cannot choose or fixate one,
it expires after SESSION_HOURS, and changing the password or disabling the user ends it. Each
purpose has its own cookie and key, so a staff session never opens the admin and the other way
round. Sign-in attempts are rate-limited per client address and per e-mail address; argon2
verifies passwords, and an unknown e-mail costs the same verify so timing does not tell.

Signed-in people are typed: `find_account` and `SessionCookie.signed_in` answer an `Account` with its
`MerchantView` (the merchant admin takes them from dependency injection, site/admin/guard.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Request, Response

from orderhub.db.merchants import queries
from orderhub.db.merchants.queries import Account, MerchantView
from orderhub.db.merchants.services import PASSWORDS, password_matches
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


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _sign(key: bytes, payload: str) -> str:
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


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
    """The signed session of one purpose ("staff", "admin")."""

    purpose: str

    def name(self, request: Request) -> str:
        prefix = "__Host-" if request.app.state.settings.secure_cookies else ""
        return f"{prefix}orderhub-{self.purpose}"

    def _key(self, request: Request) -> bytes:
        return request.app.state.settings.key_for(f"{self.purpose}-session")

    def make(self, request: Request, user: Account | Mapping[str, Any], now: dt.datetime) -> str:
        # TRANSITIONAL: the staff console still hands its user as a dict
        user_id, password_hash = ((user.id, user.password_hash) if isinstance(user, Account)
                                  else (user["id"], user["password_hash"]))
        payload = f"{user_id}.{int(now.timestamp())}.{_fingerprint(password_hash)}"
        return f"{payload}.{_sign(self._key(request), payload)}"

    async def signed_in(self, request: Request) -> SignedIn | None:
        """The signed-in, enabled account with its merchant, or None."""
        raw = request.cookies.get(self.name(request), "")
        parts = raw.split(".")
        if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[0]) > 18:
            return None
        payload = ".".join(parts[:3])
        if not hmac.compare_digest(_sign(self._key(request), payload), parts[3]):
            return None
        now = request.app.state.clock()
        issued = dt.datetime.fromtimestamp(int(parts[1]), dt.UTC)
        if not (issued - dt.timedelta(minutes=5) <= now <= issued + dt.timedelta(hours=SESSION_HOURS)):
            return None
        found = await queries.signed_in(int(parts[0]))
        if found is None or _fingerprint(found[0].password_hash) != parts[2]:
            return None
        return SignedIn(*found)

    async def user(self, request: Request) -> dict | None:
        """TRANSITIONAL, for the staff console until it takes the typed `signed_in`: the signed-in
        user as a dict with its merchant row under "merchant_row"."""
        found = await self.signed_in(request)
        if found is None:
            return None
        return {**_as_row(found.account), "merchant_row": found.merchant}

    def set(self, request: Request, response: ResponseT, value: str) -> ResponseT:
        secure = request.app.state.settings.secure_cookies
        response.set_cookie(self.name(request), value, max_age=SESSION_HOURS * 3600, path="/", secure=secure,
                            httponly=True, samesite="strict")
        return response

    def clear(self, request: Request, response: ResponseT) -> ResponseT:
        response.delete_cookie(self.name(request), path="/")
        return response


STAFF = SessionCookie("staff")
ADMIN = SessionCookie("admin")
