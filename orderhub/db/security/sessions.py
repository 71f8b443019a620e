"""Server-side sign-in sessions (admin and staff console). The cookie carries 256 random bits; the
table keeps only their SHA-256, the user, the purpose and the times. A session opens something only
while it has not ended and not expired, so signing out, changing the password, disabling the user and
"sign out everywhere" end it at once, whoever kept a copy of the cookie."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from orderhub.db import engine
from orderhub.db.security.tables import UserSession


def id_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _well_formed(raw: str) -> bool:
    return 20 <= len(raw) <= 64 and all(c.isalnum() or c in "-_" for c in raw)


async def start(user_id: int, purpose: str, *, now: dt.datetime, hours: int) -> str:
    """A new session; returns the cookie value (shown to nobody else, stored only as a hash)."""
    raw = secrets.token_urlsafe(32)
    async with engine.write():
        await UserSession(user=user_id, purpose=purpose, id_hash=id_hash(raw), created_at=now,
                          expires_at=now + dt.timedelta(hours=hours)).save()
    return raw


async def user_of(raw: str, purpose: str, *, now: dt.datetime) -> int | None:
    """The user of an open session of this purpose, or None (unknown, ended or expired)."""
    if not _well_formed(raw or ""):
        return None
    async with engine.read():
        row = await UserSession.select(UserSession.user, UserSession.expires_at, UserSession.ended_at).where(
            (UserSession.id_hash == id_hash(raw)) & (UserSession.purpose == purpose)).first()
    if row is None or row["ended_at"] is not None or row["expires_at"] <= now:
        return None
    return int(row["user"])


async def end(raw: str, *, now: dt.datetime) -> None:
    """Sign-out: this session ends (a copy of its cookie opens nothing from now on)."""
    if not _well_formed(raw or ""):
        return
    async with engine.write():
        await UserSession.update({UserSession.ended_at: now}).where(
            (UserSession.id_hash == id_hash(raw)) & UserSession.ended_at.is_null())


async def end_all(user_id: int, *, now: dt.datetime, keep: str = "") -> int:
    """Every open session of the user ends (but `keep`, the cookie value of the session acting, when
    given); returns how many ended. Joins an enclosing write scope (password change, disabling)."""
    async with engine.write():
        where = (UserSession.user == user_id) & UserSession.ended_at.is_null()
        if keep:
            where = where & (UserSession.id_hash != id_hash(keep))
        ended = await UserSession.update({UserSession.ended_at: now}).where(where).returning(UserSession.id)
    return len(ended)
