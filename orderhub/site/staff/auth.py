"""Staff sign-in for the store console (reusable by the admin area until orderhub/site/auth.py exists).

A session is a signed cookie (HMAC-SHA256 with a key derived for this purpose) holding the user id,
the sign-in time and a fingerprint of the password hash: the client cannot choose or fixate one,
it expires after SESSION_HOURS, and changing the password or disabling the user ends it. Sign-in
attempts are rate-limited per client address and per e-mail address; argon2 verifies passwords.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from litestar import Request, Response

from orderhub.db import engine
from orderhub.db.merchants.services import PASSWORDS
from orderhub.db.merchants.tables import Merchant, User
from orderhub.site.security import Limiter, client_address

SESSION_HOURS = 12
#: sign-in attempts per client and per e-mail address in LIMIT_SECONDS
LIMIT_ATTEMPTS = 5
LIMIT_SECONDS = 300
#: a dummy hash, verified when the e-mail is unknown so timing does not tell
_DUMMY = PASSWORDS.hash("orderhub-no-such-user")


def cookie_name(request: Request) -> str:
    return "__Host-orderhub-staff" if request.app.state.settings.secure_cookies else "orderhub-staff"


def _key(request: Request) -> bytes:
    return request.app.state.settings.key_for("staff-session")


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _sign(key: bytes, payload: str) -> str:
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def make_session(request: Request, user: dict, now: dt.datetime) -> str:
    payload = f"{user['id']}.{int(now.timestamp())}.{_fingerprint(user['password_hash'])}"
    return f"{payload}.{_sign(_key(request), payload)}"


def limiter(request: Request, name: str = "staff_signin", amount: int = LIMIT_ATTEMPTS) -> Limiter:
    """A limiter with its own store per purpose, kept on the app."""
    state = request.app.state
    found = getattr(state, name, None)
    if found is None:
        found = Limiter(amount, LIMIT_SECONDS)
        setattr(state, name, found)
    return found


def client_key(request: Request) -> str:
    return client_address(request, request.app.state.settings.trusted_proxy)


async def authenticate(email: str, password: str) -> dict | None:
    """The staff (or owner) user with this e-mail and password, or None; always one argon2 verify."""
    email = (email or "").strip().lower()[:254]
    async with engine.read():
        users = await User.select().where(User.key.like(f"%:{email}") & User.disabled_at.is_null()) if email else []
    users = [u for u in users if u["key"].split(":", 1)[1] == email]
    if not users:
        try:
            PASSWORDS.verify(_DUMMY, password or "x")
        except (VerificationError, InvalidHashError):
            pass
        return None
    for user in users:
        try:
            if PASSWORDS.verify(user["password_hash"], password or ""):
                return user
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
    return None


async def current_staff(request: Request) -> dict | None:
    """The signed-in staff user (a dict with its merchant row under "merchant_row"), or None."""
    raw = request.cookies.get(cookie_name(request), "")
    parts = raw.split(".")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_sign(_key(request), payload), parts[3]):
        return None
    now = request.app.state.clock()
    issued = dt.datetime.fromtimestamp(int(parts[1]), dt.timezone.utc)
    if not (issued - dt.timedelta(minutes=5) <= now <= issued + dt.timedelta(hours=SESSION_HOURS)):
        return None
    async with engine.read():
        user = await User.select().where((User.id == int(parts[0])) & User.disabled_at.is_null()).first()
        if user is None or _fingerprint(user["password_hash"]) != parts[2]:
            return None
        if user["role"] != "staff" or not user["store_code"]:
            return None
        merchant = await Merchant.objects().output(load_json=True).where(Merchant.id == user["merchant"]).first()
    user["merchant_row"] = merchant
    return user


def set_session(request: Request, response: Response, value: str) -> Response:
    secure = request.app.state.settings.secure_cookies
    response.set_cookie(cookie_name(request), value, max_age=SESSION_HOURS * 3600, path="/", secure=secure,
                        httponly=True, samesite="strict")
    return response


def clear_session(request: Request, response: Response) -> Response:
    response.delete_cookie(cookie_name(request), path="/")
    return response
