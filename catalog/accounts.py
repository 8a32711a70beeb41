"""Staff accounts and their sign-ins.

Passwords are kept as Argon2id hashes (argon2-cffi's defaults, RFC 9106's low-memory choice);
a sign-in is a random token of which only the sha256 is stored, so a copied database opens no
session. Roles are checked by the service (``headset_service.auth``); here they are only names.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from catalog import passwords
from catalog.errors import CatalogError, Conflict, NotFound
from catalog.models import StaffLogin, StaffUser, utcnow
from zorgblik.terms import STAFF_ROLES

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
LOGIN_LIFETIME = timedelta(hours=12)
STAFF_TOKEN_PREFIX = "zbs_"


class AccountError(CatalogError):
    """A staff account cannot be made or changed as asked."""


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str, username: str = "") -> str:
    """The hash of a new password, which must pass :func:`catalog.passwords.problem` (every way a
    password is set comes here: Beheer, the API, the CLI)."""
    refused = passwords.problem(password, username)
    if refused:
        raise AccountError(refused, hint="kies een zin van een paar woorden die je makkelijk onthoudt")
    return _hasher().hash(password)


def token_sha256(token: str) -> str:
    """How a random token (sign-in, device, pairing code) is kept: high-entropy, so sha256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(db: DbSession, *, username: str, role: str, password: str, display_name: str = "") -> StaffUser:
    if role not in STAFF_ROLES:
        raise AccountError(f"onbekende rol {role!r}", hint=f"kies uit {', '.join(STAFF_ROLES)}")
    username = username.strip().lower()
    if not username:
        raise AccountError("gebruikersnaam is leeg")
    if db.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise Conflict(f"gebruiker {username} bestaat al")
    user = StaffUser(username=username, role=role, display_name=display_name or username,
                     password_hash=hash_password(password, username))
    db.add(user)
    db.flush()
    return user


def list_users(db: DbSession) -> list[StaffUser]:
    return list(db.scalars(select(StaffUser).order_by(StaffUser.username)))


def get_user(db: DbSession, user_id: int) -> StaffUser:
    user = db.get(StaffUser, user_id)
    if user is None:
        raise NotFound(f"gebruiker {user_id} bestaat niet")
    return user


def update_user(db: DbSession, user: StaffUser, *, role: str | None = None, active: bool | None = None,
                password: str | None = None, display_name: str | None = None) -> StaffUser:
    if role is not None:
        if role not in STAFF_ROLES:
            raise AccountError(f"onbekende rol {role!r}", hint=f"kies uit {', '.join(STAFF_ROLES)}")
        user.role = role
    if display_name is not None:
        user.display_name = display_name
    if password is not None:
        user.password_hash = hash_password(password, user.username)
    if active is not None:
        user.active = active
    if active is False or password is not None:  # a changed password or a closed account signs out everywhere
        db.execute(delete(StaffLogin).where(StaffLogin.user_id == user.id))
    return user


def authenticate(db: DbSession, username: str, password: str) -> StaffUser | None:
    """The active user with this username and password, or None (the same for every reason)."""
    user = db.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if user is None:
        _hasher().hash(password)  # spend the same time as a real check, so usernames cannot be probed
        return None
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.last_login_at = utcnow()
    return user


def open_login(db: DbSession, user: StaffUser, now: datetime | None = None) -> str:
    """A new sign-in for ``user``; returns the token (shown once, kept only as its hash)."""
    now = now or utcnow()
    token = STAFF_TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(StaffLogin(token_sha256=token_sha256(token), user_id=user.id, created_at=now, expires_at=now + LOGIN_LIFETIME))
    db.execute(delete(StaffLogin).where(StaffLogin.expires_at < now))
    db.flush()
    return token


def user_for_token(db: DbSession, token: str, now: datetime | None = None) -> StaffUser | None:
    login = db.scalar(select(StaffLogin).where(StaffLogin.token_sha256 == token_sha256(token)))
    if login is None or login.expires_at < (now or utcnow()) or not login.user.active:
        return None
    return login.user


def close_login(db: DbSession, token: str) -> None:
    db.execute(delete(StaffLogin).where(StaffLogin.token_sha256 == token_sha256(token)))
