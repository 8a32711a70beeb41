"""Staff pages and the player page, server-rendered, in Dutch.

Staff sign in on /inloggen (a cookie, HttpOnly and SameSite=Strict; the CSRF tokens for the
full staff pages come with them). The player page opens for staff and for a paired headset's
browser (its device cookie).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from catalog import Headset, StaffUser, accounts, queries
from headset_service.auth import STAFF_COOKIE, Caller, allowed, optional_device, optional_staff, staff_token
from headset_service.deps import DbDep
from headset_service.routes.accounts import set_staff_cookie
from headset_service.routes.scenes import scene_public, visible_version

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "pages")

CONTEXT_NAMES = {"intake": "Intake", "sollicitatie": "Sollicitatie", "werkveldorientatie": "Werkveldoriëntatie"}

MaybeStaff = Annotated[StaffUser | None, Depends(optional_staff)]
MaybeHeadset = Annotated[Headset | None, Depends(optional_device)]


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/inloggen?next={quote(request.url.path)}", status_code=303)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/inloggen", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next), "user": None})


@router.post("/inloggen", response_class=HTMLResponse)
def login_form(request: Request, db: DbDep, username: Annotated[str, Form()], password: Annotated[str, Form()],
               next: Annotated[str, Form()] = "/") -> Response:
    user = accounts.authenticate(db, username, password)
    if user is None:
        return templates.TemplateResponse(request, "login.html", {
            "next": _safe_next(next), "user": None, "username": username,
            "error": "Gebruikersnaam of wachtwoord klopt niet."}, status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_staff_cookie(response, accounts.open_login(db, user))
    return response


@router.post("/uitloggen")
def logout_form(request: Request, db: DbDep) -> RedirectResponse:
    accounts.close_login(db, staff_token(request) or "")
    response = RedirectResponse("/inloggen", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def staff_home(request: Request, db: DbDep, user: MaybeStaff) -> Response:
    if user is None:
        return _to_login(request)
    scenes = [scene_public(v) for v in queries.published_scene_versions(db)]
    by_script: dict[str, list] = {}
    for scene in scenes:
        by_script.setdefault(scene.script, []).append(scene)
    return templates.TemplateResponse(request, "staff.html", {"by_script": by_script, "context_names": CONTEXT_NAMES,
                                                              "user": user})


@router.get("/speler/{bundle_key}", response_class=HTMLResponse)
def player(request: Request, bundle_key: str, db: DbDep, user: MaybeStaff, headset: MaybeHeadset) -> Response:
    if headset is None and user is None:
        return _to_login(request)
    if headset is None and not allowed(user.role, "scenes.read"):
        raise HTTPException(403, "je rol mag geen scènes bekijken")
    version = visible_version(db, bundle_key, Caller(staff=user if headset is None else None, headset=headset))
    return templates.TemplateResponse(request, "player.html", {"scene": scene_public(version),
                                                               "manifest": version.manifest, "user": user})
