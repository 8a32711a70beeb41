"""Slowing down guessing: failed sign-ins per account and per address, and pairing-code guesses
per address, lock their key for a while.

A key locks once it has ``max_failures`` failures; the lock lasts ``first_lock`` and doubles
with each further failure after it ran out (up to ``max_lock``), so a guesser gets a handful of
tries and then about one per ``max_lock``. A quiet spell of ``window`` (no failure and no lock
running) forgets the key; a good sign-in clears its account at once. While a key is locked the
password is not even checked, so a lock tells a guesser nothing. A username that does not exist
is counted like one that does, so the locks do not tell which usernames exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session as DbSession

from catalog.models import LoginThrottle, utcnow

ACCOUNT = "account:"


@dataclass(frozen=True)
class Limits:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(minutes=1)
    max_lock: timedelta = timedelta(minutes=15)


def account_key(username: str) -> str:
    return ACCOUNT + username.strip().lower()[:255]


def address_key(kind: str, address: str) -> str:
    """``kind``: what was guessed at that address (``login``, ``pair``), counted apart."""
    return f"{kind}-address:{address[:255]}"


def retry_after(db: DbSession, key: str, now: datetime | None = None) -> int:
    """Seconds until ``key`` may try again (rounded up); 0 when it may now."""
    row = db.get(LoginThrottle, key)
    now = now or utcnow()
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return math.ceil((row.locked_until - now).total_seconds())


def record_failure(db: DbSession, key: str, limits: Limits, now: datetime | None = None) -> int:
    """Count a failure of ``key``; returns the seconds it is now locked for (0: not locked)."""
    now = now or utcnow()
    quiet_since = now - limits.window
    db.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < quiet_since, or_(
        LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < quiet_since)))
    row = db.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, locks=0, last_failure_at=now)
        db.add(row)
    row.failures += 1
    row.last_failure_at = now
    if row.failures < limits.max_failures:
        db.flush()
        return 0
    lock = min(limits.first_lock * 2 ** row.locks, limits.max_lock)
    row.locks += 1
    row.locked_until = now + lock
    db.flush()
    return math.ceil(lock.total_seconds())


def clear(db: DbSession, key: str) -> None:
    db.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def locked_accounts(db: DbSession, now: datetime | None = None) -> dict[str, LoginThrottle]:
    """The accounts locked now, by username (what the admin sees on Beheer)."""
    rows = db.scalars(select(LoginThrottle).where(and_(LoginThrottle.key.startswith(ACCOUNT),
                                                       LoginThrottle.locked_until > (now or utcnow()))))
    return {row.key.removeprefix(ACCOUNT): row for row in rows}


def local_time(moment: datetime) -> str:
    """``HH:MM`` of a stored (naive UTC) moment on this machine's clock: what the admin reads."""
    return moment.replace(tzinfo=timezone.utc).astimezone().strftime("%H:%M")
