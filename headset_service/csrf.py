"""CSRF protection for the staff pages' forms.

Every form on a staff page carries a hidden field ``csrf``; every form POST declares
:data:`CsrfChecked`, which refuses the request (403) unless the field holds the right token.

    signed in     the token is derived from the sign-in token (sha256 with a fixed label). The
                  sign-in cookie is HttpOnly, so another site can neither read it nor compute the
                  token; signing out or in again changes it. Nothing extra is stored.
    signed out    (the sign-in form) double submit: a random value in the ``zorgblik_csrf`` cookie
                  (SameSite=Strict) must equal the hidden field.

The SameSite=Strict cookies already keep other sites' forms from arriving signed in; the token is
the second lock, and the one that also holds for the sign-in form (login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response

from headset_service.auth import staff_token

FIELD = "csrf"
COOKIE = "zorgblik_csrf"
_LABEL = b"zorgblik-csrf-v1:"


def _derived(sign_in_token: str) -> str:
    return hashlib.sha256(_LABEL + sign_in_token.encode()).hexdigest()


def token_for(request: Request) -> str:
    """The token the forms on this page must carry (set up by :func:`prepare` for signed-out pages)."""
    sign_in = staff_token(request)
    if sign_in:
        return _derived(sign_in)
    existing = request.cookies.get(COOKIE) or getattr(request.state, "csrf_cookie", None)
    if not existing:
        existing = secrets.token_urlsafe(24)
        request.state.csrf_cookie = existing
    return existing


def remember(request: Request, response: Response) -> None:
    """Send the double-submit cookie when :func:`token_for` made a new one for a signed-out page."""
    value = getattr(request.state, "csrf_cookie", None)
    if value and not request.cookies.get(COOKIE):
        response.set_cookie(COOKIE, value, httponly=True, samesite="strict", path="/", max_age=12 * 3600)


async def check(request: Request) -> None:
    """The dependency: the form's ``csrf`` field must be this browser's token."""
    form = await request.form()  # Starlette keeps the parsed form, so Form() parameters still work
    sent = form.get(FIELD)
    sign_in = staff_token(request)
    expected = _derived(sign_in) if sign_in else request.cookies.get(COOKIE)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "formulier verlopen of niet van deze site; laad de pagina opnieuw en probeer het nog eens")


CsrfChecked = Annotated[None, Depends(check)]
