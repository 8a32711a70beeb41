"""What every staff page shares: the templates, the navigation per role, signing in as a page
dependency (a signed-out visitor is sent to /inloggen, a wrong role gets a Dutch 403 page), and
rendering with the CSRF token and flash message filled in.

    @router.get("/sessies")
    def sessions_page(request: Request, user: PageUser("sessions.run")): ...
        return render(request, "sessions.html", user, {...})
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from catalog import StaffUser
from headset_service import csrf
from headset_service.auth import allowed, optional_staff
from zorgblik.terms import STAFF_ROLES, USE_CONTEXTS

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")

templates.env.globals.update(context_names=USE_CONTEXTS, role_names=STAFF_ROLES, csrf_token=csrf.token_for)

#: The menu: (path, label, permission); each role sees the items it may open.
NAVIGATION = (
    ("/", "Start", None),
    ("/sessies", "Sessies", "sessions.run"),
    ("/klas", "Klas", "sessions.run"),
    ("/afspeellijsten", "Afspeellijsten", "playlists.write"),
    ("/beeldmateriaal", "Beeldmateriaal", "footage.upload"),
    ("/scripts", "Scripts", "scripts.edit"),
    ("/goedkeuren", "Goedkeuren", "scripts.approve"),
    ("/rapportages", "Rapportages", "reports.read"),
    ("/effect", "Effect", "outcomes.manage"),
    ("/beheer", "Beheer", "users.manage"),
)


class LoginRequired(Exception):
    """A signed-out visitor asked for a staff page."""

    def __init__(self, path: str):
        self.path = path


class PageForbidden(Exception):
    """A signed-in member of staff asked for a page their role does not open."""

    def __init__(self, user: StaffUser, permission: str):
        # the database session is rolled back before the handler runs: keep what the page shows
        self.user = SimpleNamespace(display_name=user.display_name, role=user.role)
        self.permission = permission


def navigation(user: StaffUser | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    items = [(path, label) for path, label, perm in NAVIGATION if perm is None or allowed(user.role, perm)]
    if user.role == "teacher" or user.role == "admin":
        return items
    return [(p, label) for p, label in items if p != "/klas"]


templates.env.globals["navigation"] = navigation


def page_user(permission: str | None = None):
    async def dependency(request: Request,
                         user: Annotated[StaffUser | None, Depends(optional_staff)]) -> StaffUser:
        if user is None:
            raise LoginRequired(request.url.path)
        if permission is not None and not allowed(user.role, permission):
            raise PageForbidden(user, permission)
        return user

    return dependency


def PageUser(permission: str | None = None):  # noqa: N802 - reads as a type in signatures
    return Annotated[StaffUser, Depends(page_user(permission))]


#: How long a page message waits for its page; one process serves every page, so memory will do.
FLASH_TTL_S = 300
FLASH_MAX = 10_000
#: Messages a script asks for by name (static/upload.js): fixed text, nothing personal in it.
FIXED_FLASH = {"upload-klaar": ("Upload klaar. Leg vast wie er in beeld is.", None)}
_flashes: dict[str, tuple[float, str | None, str | None]] = {}
_flash_lock = threading.Lock()


def keep_flash(melding: str | None, fout: str | None) -> str:
    """Keep a message for the next page under a random id: in a URL, history, proxies and server
    logs would keep a pairing code or a filmed client's name."""
    key = secrets.token_urlsafe(16)
    now = time.monotonic()
    with _flash_lock:
        for old in [k for k, (until, _, _) in _flashes.items() if until < now]:
            del _flashes[old]
        while len(_flashes) >= FLASH_MAX:  # never shown: the oldest go first
            del _flashes[next(iter(_flashes))]
        _flashes[key] = (now + FLASH_TTL_S, melding, fout)
    return key


def take_flash(key: str) -> tuple[str | None, str | None]:
    """The (message, error) kept under ``key``, once: a reload or a copied link shows nothing."""
    if key in FIXED_FLASH:
        return FIXED_FLASH[key]
    with _flash_lock:
        until, melding, fout = _flashes.pop(key, (0.0, None, None))
    return (melding, fout) if until >= time.monotonic() else (None, None)


def render(request: Request, template: str, user: StaffUser | None, context: dict | None = None,
           status_code: int = 200) -> HTMLResponse:
    token = csrf.token_for(request)
    flash, flash_error = take_flash(request.query_params.get("bericht", ""))
    response = templates.TemplateResponse(request, template, {
        "user": user, "csrf": token, "path": request.url.path, "flash": flash, "flash_error": flash_error,
        **(context or {})}, status_code=status_code)
    csrf.remember(request, response)
    return response


def back(path: str, *, melding: str | None = None, fout: str | None = None) -> RedirectResponse:
    """Redirect after a form POST (303), with a message the next page shows (kept here, see keep_flash)."""
    query = urlencode({"bericht": keep_flash(melding, fout)}) if melding or fout else ""
    path, hash_, fragment = path.partition("#")
    sep = "&" if "?" in path else "?"
    return RedirectResponse((f"{path}{sep}{query}" if query else path) + hash_ + fragment, status_code=303)


def to_login(path: str) -> RedirectResponse:
    return RedirectResponse(f"/inloggen?next={quote(path)}", status_code=303)


def install_page_handlers(app) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(_request: Request, exc: LoginRequired) -> RedirectResponse:
        return to_login(exc.path)

    @app.exception_handler(PageForbidden)
    async def page_forbidden(request: Request, exc: PageForbidden) -> HTMLResponse:
        return render(request, "forbidden.html", exc.user, {"permission": exc.permission}, status_code=403)
