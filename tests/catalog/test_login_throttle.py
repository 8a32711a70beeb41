"""Failed sign-ins and pairing-code guesses lock their account or address for a while: the lock
doubles while the guessing goes on, is capped, and is forgotten after a quiet spell; a good
sign-in clears its account. The clock is passed in, so nothing here waits."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from catalog import throttle

T0 = datetime(2026, 3, 2, 9, 0)
LIMITS = throttle.Limits(max_failures=5, window=timedelta(minutes=15), first_lock=timedelta(minutes=1),
                         max_lock=timedelta(minutes=15))


@pytest.fixture
def db(catalog):
    with catalog.session() as s:
        yield s


def fail(db, key: str, times: int, at: datetime) -> int:
    locked = 0
    for _ in range(times):
        locked = throttle.record_failure(db, key, LIMITS, now=at)
    return locked


def test_five_failures_lock_for_a_minute_then_the_lock_doubles_up_to_fifteen(db):
    key = throttle.account_key("Anna")
    assert fail(db, key, 4, T0) == 0 and throttle.retry_after(db, key, now=T0) == 0
    assert fail(db, key, 1, T0) == 60
    assert throttle.retry_after(db, key, now=T0 + timedelta(seconds=20)) == 40
    at, locks = T0, []
    for _ in range(5):  # each failure once the lock has run out locks again, twice as long
        at += timedelta(seconds=throttle.retry_after(db, key, now=at))
        assert throttle.retry_after(db, key, now=at) == 0
        locks.append(fail(db, key, 1, at))
    assert locks == [120, 240, 480, 900, 900]
    assert throttle.locked_accounts(db, now=at)["anna"].failures == 10


def test_a_quiet_spell_forgets_the_failures_and_a_good_sign_in_clears_them(db):
    key = throttle.account_key("bram")
    fail(db, key, 4, T0)
    assert fail(db, key, 1, T0 + LIMITS.window + timedelta(seconds=1)) == 0  # the four before are forgotten
    assert fail(db, key, 3, T0 + LIMITS.window + timedelta(minutes=1)) == 0
    throttle.clear(db, key)
    assert fail(db, key, 4, T0 + LIMITS.window + timedelta(minutes=2)) == 0


def test_accounts_and_addresses_are_counted_apart(db):
    fail(db, throttle.account_key("carla"), 5, T0)
    assert throttle.retry_after(db, throttle.address_key("login", "10.0.0.7"), now=T0) == 0
    assert throttle.retry_after(db, throttle.address_key("pair", "10.0.0.7"), now=T0) == 0
    fail(db, throttle.address_key("pair", "10.0.0.7"), 5, T0)
    assert throttle.retry_after(db, throttle.address_key("login", "10.0.0.7"), now=T0) == 0
    assert throttle.retry_after(db, throttle.address_key("pair", "10.0.0.7"), now=T0) == 60
    assert set(throttle.locked_accounts(db, now=T0)) == {"carla"}  # addresses are no accounts


def test_stale_rows_are_removed(db):
    from sqlalchemy import func, select

    from catalog.models import LoginThrottle

    for n in range(20):  # guessed usernames leave rows; they go once quiet
        fail(db, throttle.account_key(f"bestaat-niet-{n}"), 1, T0)
    fail(db, throttle.account_key("dirk"), 1, T0 + LIMITS.window + timedelta(minutes=1))
    assert db.scalar(select(func.count()).select_from(LoginThrottle)) == 1
