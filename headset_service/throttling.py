"""Where the service slows down guessing (the rules are :mod:`catalog.throttle`): the sign-in
API, the login page and trading a pairing code. A locked account or address gets 429 with
Retry-After, before its password or code is looked at.

The failure is recorded in the request's own transaction, so a handler answers a failed attempt
with a response (not an exception, which would roll the count back)."""

from __future__ import annotations

import math
from datetime import timedelta

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session as DbSession

from catalog import throttle
from headset_service.errors import error_response
from zorgblik.settings import Settings


def address(request: Request) -> str:
    """The caller's address (behind a proxy on this machine uvicorn puts X-Forwarded-For here)."""
    return request.client.host if request.client else "onbekend"


def _limits(settings: Settings, max_failures: int) -> throttle.Limits:
    return throttle.Limits(max_failures=max_failures, window=timedelta(minutes=settings.login_window_minutes),
                           max_lock=timedelta(minutes=settings.login_lock_max_minutes))


def _login_keys(request: Request, username: str) -> tuple[str, str]:
    return throttle.account_key(username), throttle.address_key("login", address(request))


def login_wait(db: DbSession, request: Request, username: str) -> int:
    """Seconds before this account may try to sign in from this address (0: now)."""
    return max(throttle.retry_after(db, key) for key in _login_keys(request, username))


def login_failed(db: DbSession, settings: Settings, request: Request, username: str) -> None:
    account, place = _login_keys(request, username)
    throttle.record_failure(db, account, _limits(settings, settings.login_max_failures))
    throttle.record_failure(db, place, _limits(settings, settings.login_address_max_failures))


def login_succeeded(db: DbSession, request: Request, username: str) -> None:
    """The account starts afresh; the address does not (one known password must not reset guessing others)."""
    throttle.clear(db, throttle.account_key(username))


def pairing_wait(db: DbSession, request: Request) -> int:
    return throttle.retry_after(db, throttle.address_key("pair", address(request)))


def pairing_failed(db: DbSession, settings: Settings, request: Request) -> None:
    throttle.record_failure(db, throttle.address_key("pair", address(request)),
                            _limits(settings, settings.login_address_max_failures))


def minutes_text(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} {'minuut' if minutes == 1 else 'minuten'}"


def too_many(seconds: int) -> JSONResponse:
    """The API's answer to a locked account or address: the one error shape, and Retry-After."""
    return error_response(429, f"te veel mislukte pogingen; probeer het over {minutes_text(seconds)} opnieuw",
                          {"retry_after_s": seconds}, headers={"Retry-After": str(seconds)})
