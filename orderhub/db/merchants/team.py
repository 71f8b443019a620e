"""A merchant's team: the people who may sign in to its admin and console, and owners' invitations.

An invitation is a one-time link: only the SHA-256 of its token is stored, it expires after
`hours` (ORDERHUB_INVITE_HOURS, 72 by default), and accepting it creates the user with the password the invitee chooses. Refusals
carry the codes of orderhub.db.merchants.rules; the admin words them next to the field."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from orderhub.db import engine
from orderhub.db.errors import Conflict, NotFound, ValidationFailed
from orderhub.db.keys import scoped
from orderhub.db.merchants import rules
from orderhub.db.merchants.queries import Account
from orderhub.db.merchants.services import hash_password, password_matches
from orderhub.db.merchants.tables import Store, User, UserInvitation
from orderhub.db.security import sessions
from orderhub.db.tokens import token_hash
from orderhub.db.validation import field_error

INVITE_HOURS = 72
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,189}\.[^@\s<>\"'.]{2,63}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Member:
    id: int
    email: str
    role: str
    store_code: str | None
    created_at: dt.datetime
    disabled: bool

    @property
    def is_owner(self) -> bool:
        return self.role == rules.OWNER


@dataclass(frozen=True)
class PendingInvitation:
    id: int
    email: str
    role: str
    store_code: str | None
    expires_at: dt.datetime

    @property
    def is_owner(self) -> bool:
        return self.role == rules.OWNER


@dataclass(frozen=True)
class StoreChoice:
    code: str
    name: str


@dataclass(frozen=True)
class Team:
    members: list[Member]
    invitations: list[PendingInvitation]
    stores: list[StoreChoice]


@dataclass(frozen=True)
class Invitation:
    """An open invitation, with its merchant's name and locale (the join page's language)."""

    id: int
    merchant_id: int
    merchant_name: str
    merchant_locale: str
    email: str
    role: str
    store_code: str | None
    expires_at: dt.datetime

    @property
    def is_owner(self) -> bool:
        return self.role == rules.OWNER


def check_password(password: str, confirm: str | None = None) -> list[dict[str, Any]]:
    errors = []
    if len(password) < rules.MIN_PASSWORD:
        errors.append(field_error("password", rules.PASSWORD_TOO_SHORT, "Use at least 10 characters.",
                                  n=rules.MIN_PASSWORD))
    elif len(password) > rules.MAX_PASSWORD:
        errors.append(field_error("password", rules.PASSWORD_TOO_LONG, "That password is too long."))
    elif confirm is not None and confirm != password:
        errors.append(field_error("confirm", rules.PASSWORDS_DIFFER, "The two passwords don't match."))
    return errors


async def team(merchant_id: int, *, now: dt.datetime) -> Team:
    async with engine.read():
        users = await User.select(User.id, User.email, User.role, User.store_code, User.created_at,
                                  User.disabled_at).where(User.merchant == merchant_id).order_by(User.email)
        invites = await UserInvitation.select().where(
            (UserInvitation.merchant == merchant_id) & UserInvitation.accepted_at.is_null()
            & UserInvitation.revoked_at.is_null() & (UserInvitation.expires_at > now)
        ).order_by(UserInvitation.created_at, ascending=False)
        stores = await Store.select(Store.code, Store.name).where(Store.merchant == merchant_id).order_by(Store.code)
    return Team(
        [Member(u["id"], u["email"], u["role"], u["store_code"], u["created_at"], u["disabled_at"] is not None)
         for u in users],
        [PendingInvitation(i["id"], i["email"], i["role"], i["store_code"], i["expires_at"]) for i in invites],
        [StoreChoice(s["code"], s["name"]) for s in stores],
    )


async def invite(merchant_id: int, invited_by: int, email: str, role: str, store_code: str | None, *,
                 now: dt.datetime, hours: int = INVITE_HOURS) -> str:
    """A new invitation; returns the one-time token (shown once, as a link)."""
    email = (email or "").strip().lower()
    store_code = (store_code or "").strip() or None
    errors = []
    staff_need_store = field_error("store", rules.STAFF_NEED_STORE, "Store staff belong to a store: choose one.")
    if not _EMAIL.match(email) or len(email) > 254:
        errors.append(field_error("email", rules.EMAIL_INVALID, "Enter an e-mail address such as name@example.com."))
    if role not in rules.ROLES:
        errors.append(field_error("role", rules.ROLE_INVALID, "Choose owner or store staff."))
    if role == rules.STAFF and not store_code:
        errors.append(staff_need_store)
    if role == rules.OWNER:
        store_code = None
    async with engine.write():
        if store_code and not await Store.exists().where(Store.key == scoped(merchant_id, store_code)):
            errors.append(staff_need_store)
        if not errors and await User.exists().where(User.key == scoped(merchant_id, email)):
            errors.append(field_error("email", rules.ALREADY_MEMBER, "This person already has an account."))
        if errors:
            raise ValidationFailed(errors)
        # a new invitation replaces an open one for the same address
        await UserInvitation.update({UserInvitation.revoked_at: now}).where(
            (UserInvitation.merchant == merchant_id) & (UserInvitation.email == email)
            & UserInvitation.accepted_at.is_null() & UserInvitation.revoked_at.is_null())
        token = secrets.token_urlsafe(32)
        await UserInvitation(merchant=merchant_id, email=email, role=role, store_code=store_code,
                             token_hash=token_hash(token), invited_by=invited_by, created_at=now,
                             expires_at=now + dt.timedelta(hours=hours)).save()
    return token


async def open_invitation(token: str, *, now: dt.datetime) -> Invitation | None:
    """The open invitation for this token (with its merchant's name), or None for any bad token."""
    if not _TOKEN.match(token or ""):
        return None
    async with engine.read():
        row = await UserInvitation.select(
            *UserInvitation.all_columns(), UserInvitation.merchant.name.as_alias("merchant_name"),
            UserInvitation.merchant.locale.as_alias("merchant_locale"),
        ).where(UserInvitation.token_hash == token_hash(token)).first()
    if row is None or row["accepted_at"] or row["revoked_at"] or row["expires_at"] <= now:
        return None
    return Invitation(row["id"], row["merchant"], row["merchant_name"], row["merchant_locale"], row["email"],
                      row["role"], row["store_code"], row["expires_at"])


async def closed_reason(token: str, *, now: dt.datetime) -> str | None:
    """Why a real invitation no longer opens (rules.INVITATION_USED or INVITATION_EXPIRED), so its
    page can say so; None for a token that names no invitation, or one an owner revoked."""
    if not _TOKEN.match(token or ""):
        return None
    async with engine.read():
        row = await UserInvitation.select(UserInvitation.accepted_at, UserInvitation.revoked_at,
                                          UserInvitation.expires_at).where(
            UserInvitation.token_hash == token_hash(token)).first()
    if row is None or row["revoked_at"]:
        return None
    if row["accepted_at"]:
        return rules.INVITATION_USED
    return rules.INVITATION_EXPIRED if row["expires_at"] <= now else None


async def accept(token: str, password: str, confirm: str, *, now: dt.datetime) -> Account:
    """Creates the invited user with this password; returns the account (for signing in)."""
    errors = check_password(password, confirm)
    if errors:
        raise ValidationFailed(errors)
    password_hash = await hash_password(password)
    async with engine.write():
        invitation = await open_invitation(token, now=now)
        if invitation is None:
            raise NotFound(rules.NO_INVITATION, "no such invitation")
        claimed = await UserInvitation.update({UserInvitation.accepted_at: now}).where(
            (UserInvitation.id == invitation.id) & UserInvitation.accepted_at.is_null()
        ).returning(UserInvitation.id)
        if not claimed:
            raise NotFound(rules.NO_INVITATION, "no such invitation")
        key = scoped(invitation.merchant_id, invitation.email)
        if await User.exists().where(User.key == key):
            raise Conflict(rules.ALREADY_MEMBER, "This person already has an account.")
        user = User(merchant=invitation.merchant_id, key=key, email=invitation.email, role=invitation.role,
                    store_code=invitation.store_code, password_hash=password_hash, created_at=now)
        await user.save()
    return Account(user.id, invitation.merchant_id, invitation.email, invitation.role, invitation.store_code,
                   password_hash)


async def revoke_invitation(merchant_id: int, invitation_id: int, *, now: dt.datetime) -> None:
    async with engine.write():
        done = await UserInvitation.update({UserInvitation.revoked_at: now}).where(
            (UserInvitation.id == invitation_id) & (UserInvitation.merchant == merchant_id)
            & UserInvitation.accepted_at.is_null() & UserInvitation.revoked_at.is_null()
        ).returning(UserInvitation.id)
    if not done:
        raise NotFound(rules.NO_INVITATION, "no such invitation")


async def set_disabled(merchant_id: int, user_id: int, acting_user_id: int, disabled: bool, *,
                       now: dt.datetime) -> None:
    """Disables (ending every session at once) or re-enables a teammate; never yourself, and a shop
    always keeps one enabled owner."""
    if user_id == acting_user_id:
        raise Conflict(rules.CANNOT_DISABLE_SELF, "You can't disable your own account.")
    async with engine.write():
        user = await User.select(User.id, User.role).where(
            (User.id == user_id) & (User.merchant == merchant_id)).first()
        if user is None:
            raise NotFound(rules.NO_USER, "no such user")
        if disabled and user["role"] == rules.OWNER:
            owners = await User.count().where((User.merchant == merchant_id) & (User.role == rules.OWNER)
                                              & User.disabled_at.is_null())
            if owners <= 1:
                raise Conflict(rules.LAST_OWNER, "A shop needs at least one owner.")
        await User.update({User.disabled_at: now if disabled else None}).where(User.id == user_id)
        if disabled:
            await sessions.end_all(user_id, now=now)


async def change_password(user_id: int, current: str, new: str, confirm: str, *, keep_session: str,
                          now: dt.datetime) -> None:
    """The user's new password (argon2), after the current one is verified and the new one passes
    the strength rule; every other session of the user ends (this one, `keep_session`, stays)."""
    async with engine.read():
        row = await User.select(User.password_hash).where((User.id == user_id) & User.disabled_at.is_null()).first()
    if row is None:
        raise NotFound(rules.NO_USER, "no such user")
    if not await password_matches(row["password_hash"], current or ""):
        raise ValidationFailed([field_error("current", rules.WRONG_PASSWORD, "That is not your current password.")])
    errors = check_password(new, confirm)
    if not errors and new == current:
        errors.append(field_error("password", rules.SAME_PASSWORD, "Choose a password you have not used here."))
    if errors:
        raise ValidationFailed(errors)
    password_hash = await hash_password(new)
    async with engine.write():
        await User.update({User.password_hash: password_hash}).where(User.id == user_id)
        await sessions.end_all(user_id, now=now, keep=keep_session)
