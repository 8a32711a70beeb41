"""Staff pages and the player page, server-rendered, in Dutch.

Staff sign in on /inloggen (a cookie, HttpOnly and SameSite=Strict; the CSRF tokens for the
full staff pages come with them). The player page opens for staff and for a paired headset's
browser (its device cookie).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from catalog import Headset, StaffUser, accounts, queries
from headset_service.web import rendering
from headset_service.auth import STAFF_COOKIE, Caller, allowed, optional_device, optional_staff, staff_token
from headset_service.csrf import CsrfChecked
from headset_service import throttling
from headset_service.deps import DbDep, SettingsDep, UnitOfWorkRoute
from headset_service.api.accounts import set_staff_cookie
from headset_service.api.scenes import scene_public, visible_version
from zorgblik.terms import VR180

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
templates = rendering.templates

MaybeStaff = Annotated[StaffUser | None, Depends(optional_staff)]
MaybeHeadset = Annotated[Headset | None, Depends(optional_device)]


def _to_login(request: Request) -> RedirectResponse:
    return rendering.to_login(request.url.path)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/inloggen", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return rendering.render(request, "login.html", None, {"next": _safe_next(next)})


@router.post("/inloggen", response_class=HTMLResponse)
def login_form(request: Request, db: DbDep, settings: SettingsDep, _csrf: CsrfChecked, username: Annotated[str, Form()],
               password: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    """Repeated failures lock the account and the address for a while (429, as the API)."""
    wait = throttling.login_wait(db, request, username)
    if wait:
        page = rendering.render(request, "login.html", None, {
            "next": _safe_next(next), "username": username,
            "error": f"Te veel mislukte pogingen; probeer het over {throttling.minutes_text(wait)} opnieuw."},
            status_code=429)
        page.headers["Retry-After"] = str(wait)
        return page
    user = accounts.authenticate(db, username, password)
    if user is None:
        throttling.login_failed(db, settings, request, username)
        return rendering.render(request, "login.html", None, {
            "next": _safe_next(next), "username": username,
            "error": "Gebruikersnaam of wachtwoord klopt niet."}, status_code=401)
    throttling.login_succeeded(db, request, username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_staff_cookie(response, accounts.open_login(db, user))
    return response


@router.post("/uitloggen")
def logout_form(request: Request, db: DbDep, _csrf: CsrfChecked) -> RedirectResponse:
    accounts.close_login(db, staff_token(request) or "")
    response = RedirectResponse("/inloggen", status_code=303)
    response.delete_cookie(STAFF_COOKIE, path="/")
    return response


#: What each role's start page offers first: (path, title, what it is for).
START_TILES = {
    "intake": [("/sessies", "Intakesessie starten", "Kies de afspeellijst en de headsets, start, en volg wat de student ziet."),
               ("/afspeellijsten", "Afspeellijsten", "Kies en orden de scènes die je bij een intake laat zien."),
               ("/rapportages", "Rapportages", "Hoe vaak en welke scènes bij intakes bekeken zijn.")],
    "hr": [("/sessies", "Sollicitatiegesprek", "Laat de kandidaat de afdeling zien; de gespreksvragen staan ernaast."),
           ("/afspeellijsten", "Afspeellijsten", "Kies en orden de scènes voor sollicitatiegesprekken."),
           ("/rapportages", "Rapportages", "Gebruik bij sollicitaties, per scène en periode.")],
    "teacher": [("/klas", "Klasoverzicht", "Start dezelfde scène voor de hele klas en zie wie waar is."),
                ("/sessies", "Losse sessies", "Eén of enkele headsets starten en volgen."),
                ("/afspeellijsten", "Afspeellijsten", "Kies en orden de scènes voor je lessen."),
                ("/rapportages", "Rapportages", "Gebruik bij werkveldoriëntatie.")],
    "comms": [("/beeldmateriaal", "Beeldmateriaal uploaden", "360°-opnames uploaden, toestemming vastleggen, verwerking volgen.")],
    "author": [("/scripts", "Mijn VR-scripts", "Controleren, bijwerken, bouwen en publiceren; wat moet worden nagekeken.")],
    "admin": [("/beheer", "Beheer", "Headsets koppelen en intrekken, medewerkers en rollen, bewaartermijn."),
              ("/sessies", "Sessies", "Sessies starten en volgen in elke context."),
              ("/rapportages", "Rapportages", "Gebruik per context, zorgcategorie, scène en periode; exports."),
              ("/effect", "Effect op uitval", "Start en uitval van studenten met en zonder VR-sessie."),
              ("/scripts", "VR-scripts", "Wat verlopen is en wie het moet bijwerken."),
              ("/beeldmateriaal", "Beeldmateriaal", "Uploads, toestemming en classificatie.")],
}


@router.get("/", response_class=HTMLResponse)
def staff_home(request: Request, db: DbDep, user: MaybeStaff) -> Response:
    """The start page: what this role does first, then the published scenes to look at."""
    if user is None:
        return _to_login(request)
    scenes = [scene_public(v) for v in queries.published_scene_versions(db)]
    by_script: dict[str, list] = {}
    for scene in scenes:
        by_script.setdefault(scene.script, []).append(scene)
    return rendering.render(request, "staff.html", user, {"by_script": by_script, "vr180": VR180,
                                                         "tiles": START_TILES.get(user.role, [])})


@router.get("/speler/{bundle_key}", response_class=HTMLResponse)
def player(request: Request, bundle_key: str, db: DbDep, user: MaybeStaff, headset: MaybeHeadset) -> Response:
    if headset is None and user is None:
        return _to_login(request)
    if headset is None and not allowed(user.role, "scenes.read"):
        raise HTTPException(403, "je rol mag geen scènes bekijken")
    version = visible_version(db, bundle_key, Caller(staff=user if headset is None else None, headset=headset))
    return templates.TemplateResponse(request, "player.html", {"scene": scene_public(version),
                                                               "view": version.manifest.view.model_dump(), "user": user})
